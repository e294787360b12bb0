import type { z } from "zod";
import { ReftrailError } from "../util/errors.js";
import { StrictJsonError, parseStrictJson } from "../util/strict-json.js";

/** A document that does not match its schema: the first problem, as `field.path: what was expected`. */
export class SchemaError extends ReftrailError {
  constructor(message: string, subject?: string) {
    super("SCHEMA", message, subject);
  }
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i ? "." : ""}${String(p)}`)).join("") || "(document)";
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_union":
      if ("discriminator" in issue && issue.discriminator !== undefined && "options" in issue && issue.options) {
        return `${issue.discriminator} must be one of ${issue.options.map((o) => JSON.stringify(o)).join(", ")}`;
      }
      return "matches none of the allowed forms";
    case "invalid_key":
      return `invalid key: ${issue.issues[0]?.message ?? issue.message}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
    default:
      return issue.message;
  }
}

/**
 * Parses JSON text against a schema. Fails closed with a one-line SchemaError naming the first
 * offending field, never a partial result; duplicate keys, `__proto__` and a byte-order mark are
 * refused (see strict-json.ts).
 */
export function parseDocument<S extends z.ZodType>(schema: S, text: string, what: string): z.output<S> {
  let data: unknown;
  try {
    data = parseStrictJson(text);
  } catch (err) {
    throw new SchemaError(err instanceof StrictJsonError ? `not accepted: the JSON ${err.message}` : `not valid JSON (${(err as Error).message})`, what);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const [first, ...rest] = result.error.issues;
  const more = rest.length ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
  throw new SchemaError(`${fieldPath(first!.path)}: ${describeIssue(first!)}${more}`, what);
}
