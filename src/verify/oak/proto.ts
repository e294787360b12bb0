import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import type { Any } from "@bufbuild/protobuf/wkt";
import { OakInputError } from "./errors.js";
import { checkWire } from "./wire.js";

/**
 * The first unknown field anywhere in a decoded message tree, as a dotted path. Oak's own files
 * decode with none; an unknown field is a newer schema or damage, and a verifier must not pass
 * over data it cannot read.
 */
function unknownFieldPath(value: unknown, path: string): string | undefined {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return undefined;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = unknownFieldPath(v, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  const record = value as Record<string, unknown> & { $unknown?: readonly { no: number }[] };
  if (record.$unknown?.length) return `${path} field ${record.$unknown[0]!.no}`;
  for (const [key, v] of Object.entries(record)) {
    if (key === "$typeName" || key === "$unknown") continue;
    const found = unknownFieldPath(v, key === "value" && "case" in record ? path : `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Decodes one binary protobuf message strictly: truncation, a wrong wire type, an invalid length
 * or an unknown field anywhere is an OakInputError naming the message (and the field when known).
 */
export function decodeMessage<Desc extends DescMessage>(schema: Desc, bytes: Uint8Array, what = schema.name): MessageShape<Desc> {
  let message: MessageShape<Desc>;
  try {
    checkWire(schema, bytes);
    message = fromBinary(schema, bytes);
  } catch (err) {
    throw new OakInputError("OAK_PROTOBUF", `${what}: not a valid ${schema.typeName} message (${err instanceof Error ? err.message : String(err)})`);
  }
  const unknown = unknownFieldPath(message, schema.name);
  if (unknown !== undefined) throw new OakInputError("OAK_PROTOBUF", `${what}: unknown protobuf field ${unknown} (not in Oak's schema)`);
  return message;
}

/** The message inside a google.protobuf.Any, which must be exactly of `schema`'s type. */
export function unpackAny<Desc extends DescMessage>(any: Any | undefined, schema: Desc, what: string): MessageShape<Desc> {
  const expected = `type.googleapis.com/${schema.typeName}`;
  if (any === undefined) throw new OakInputError("OAK_PROTOBUF", `${what}: no payload (expected ${schema.typeName})`);
  if (any.typeUrl !== expected) throw new OakInputError("OAK_PROTOBUF", `${what}: payload type '${any.typeUrl}', expected ${expected}`);
  return decodeMessage(schema, any.value, what);
}
