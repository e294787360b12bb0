import { parseArgs } from "node:util";
import { parseInstant } from "../util/rfc3339.js";
import { UsageError } from "./errors.js";

export interface OptionSpec {
  readonly type: "string" | "boolean";
  /** The option may be given several times; its value is then every value given, in order. */
  readonly multiple?: true;
  readonly short?: string;
  readonly value?: string;
  readonly description: string;
}
export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type ParsedOptions<S extends OptionSpecs> = {
  [K in keyof S]?: S[K]["type"] extends "boolean" ? boolean : S[K] extends { multiple: true } ? string[] : string;
};

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  json: { type: "boolean", description: "print machine-readable JSON on stdout" },
  help: { type: "boolean", short: "h", description: "show this help" },
} as const satisfies OptionSpecs;

/** Options of every command that prints a result: --out, --json, --help. */
export const OUTPUT_OPTIONS = {
  out: { type: "string", value: "FILE", description: "write the result to FILE (atomically) instead of stdout" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

/**
 * node:util parseArgs, with its errors turned into one-line usage errors. Unknown options, missing
 * values and stray positionals are all rejected: a typo must never silently change a measurement.
 */
export function parseOptions<S extends OptionSpecs>(
  command: string,
  argv: readonly string[],
  specs: S,
): { options: ParsedOptions<S>; positionals: string[] } {
  const config = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) }]),
  );
  const parsed = (() => {
    try {
      return parseArgs({ args: [...argv], options: config, strict: true, allowPositionals: true, tokens: true });
    } catch (err) {
      throw new UsageError(`${describeParseError(err)} (see 'reftrail ${command} --help')`);
    }
  })();
  // parseArgs keeps the last of a repeated value; a second --at or --policy appended by a wrapper
  // must not quietly replace the first.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option" || specs[token.name]?.type !== "string" || specs[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`option --${token.name} given more than once (see 'reftrail ${command} --help')`);
    seen.add(token.name);
  }
  return { options: parsed.values as ParsedOptions<S>, positionals: parsed.positionals };
}

function describeParseError(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const text = String(message ?? err);
  const quoted = /'([^']+)'/.exec(text)?.[1];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted ?? ""}`.trim();
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/argument missing/.test(text)) return `option ${quoted?.replace(/ <value>$/, "") ?? ""} needs a value`;
      if (/does not take an argument/.test(text)) return `option ${quoted ?? ""} does not take a value`;
      if (/ambiguous/.test(text)) {
        return `value of option ${quoted?.replace(/ <value>$/, "") ?? ""} starts with '-': write it as --option=VALUE`;
      }
      return text.split("\n")[0]!;
    default:
      return text.split("\n")[0]!;
  }
}

/** Renders the help text of a command from its option specs. */
export function helpText(usage: string, summary: string, specs: OptionSpecs, notes: string[] = []): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : "    "}--${name}${spec.type === "string" ? ` ${spec.value ?? "VALUE"}` : ""}`;
    return [flag, spec.description] as const;
  });
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `usage: ${usage}`,
    "",
    summary,
    "",
    "options:",
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    ...(notes.length ? ["", ...notes] : []),
    "",
  ].join("\n");
}

/** Integers as Python's int(x, 0) reads them: decimal, 0x hex, 0o octal, 0b binary. */
export function parseInteger(option: string, text: string, max: bigint): bigint {
  const m = /^(?:0[xX]_?([0-9a-fA-F](?:_?[0-9a-fA-F])*)|0[oO]_?([0-7](?:_?[0-7])*)|0[bB]_?([01](?:_?[01])*)|([1-9](?:_?[0-9])*|0+))$/.exec(text.trim());
  if (!m) throw new UsageError(`invalid integer '${text}' (decimal, or 0x/0o/0b prefixed)`, option);
  const digits = (m[1] ?? m[2] ?? m[3] ?? m[4])!.replaceAll("_", "");
  const prefix = m[1] !== undefined ? "0x" : m[2] !== undefined ? "0o" : m[3] !== undefined ? "0b" : "";
  const value = BigInt(prefix + digits);
  // The limit is written the way the value was: 3600 for a timeout, 0xffffffff for a signature given in hex.
  const limit = prefix === "0x" ? `0x${max.toString(16)}` : max.toString();
  if (value > max) throw new UsageError(`${text} is out of range (at most ${limit})`, option);
  return value;
}

export function parseSmallInteger(option: string, text: string, max: number): number {
  return Number(parseInteger(option, text, BigInt(max)));
}

export function splitList(text: string): string[] {
  return text.split(",").map((s) => s.trim());
}

/**
 * A command's options: parsed, `--help` answered (then undefined is returned and the command exits
 * 0), stray positionals refused.
 */
export function commandOptions<S extends OptionSpecs>(command: string, argv: readonly string[], specs: S, help: { usage: string; summary: string }): ParsedOptions<S> | undefined {
  const { options, positionals } = parseOptions(command, argv, specs);
  if ((options as { help?: boolean }).help) {
    process.stdout.write(helpText(`reftrail ${command} ${help.usage}`, help.summary, specs));
    return undefined;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (see 'reftrail ${command} --help')`);
  return options;
}

/** As commandOptions, for a command that takes exactly one FILE argument. */
export function commandOptionsWithFile<S extends OptionSpecs>(command: string, argv: readonly string[], specs: S, help: { usage: string; summary: string }): { options: ParsedOptions<S>; file: string } | undefined {
  const { options, positionals } = parseOptions(command, argv, specs);
  if ((options as { help?: boolean }).help) {
    process.stdout.write(helpText(`reftrail ${command} ${help.usage}`, help.summary, specs));
    return undefined;
  }
  if (positionals.length === 0) throw new UsageError(`give the FILE to read (see 'reftrail ${command} --help')`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}' (see 'reftrail ${command} --help')`);
  return { options, file: positionals[0]! };
}

/** Fails with the usual message unless every named option was given. */
export function requireOptions(options: Readonly<Record<string, unknown>>, names: readonly string[]): void {
  for (const name of names) if (options[name] === undefined) throw new UsageError(`the following argument is required: --${name}`);
}

/** An RFC 3339 time option (or YYYY-MM-DD, midnight UTC), as ns since the epoch. */
export function timeOption(option: string, text: string): bigint {
  const ns = parseInstant(text);
  if (ns === undefined) throw new UsageError(`'${text}' is not an RFC 3339 time such as 2026-11-22T12:00:00Z (or a YYYY-MM-DD date)`, option);
  return ns;
}
