import { mkdirSync, statSync } from "node:fs";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ReftrailError } from "../util/errors.js";
import { printable } from "../util/printable.js";
import { InputError } from "./errors.js";
import { describeFileError } from "./input.js";

/** Left-aligned columns separated by two spaces, with a header row. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  rows = rows.map((r) => r.map(printable));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/**
 * Sends a command's result to stdout, or to `--out FILE`: atomically for a regular file (an existing
 * one keeps its mode, a symlink's target is replaced), written through for a FIFO, a terminal or
 * /dev/null, refused for anything else (see util/atomic-write.ts).
 */
export function emit(text: string, out: string | undefined): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileAtomic(out, text, { stream: true });
  } catch (err) {
    throw new InputError(...outputError(err), `--out ${out}`);
  }
}

/**
 * A folder a command writes into (`--out DIR`): created if missing (with `mode`), and refused with
 * one line when something else is there, before any work is done.
 */
export function outputFolder(option: string, path: string, mode = 0o755): void {
  try {
    mkdirSync(path, { recursive: true, mode });
    if (!statSync(path).isDirectory()) throw Object.assign(new Error(), { code: "EEXIST" });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "EEXIST" ? "exists and is not a folder" : code === "ENOTDIR" ? "is inside something that is not a folder" : outputError(err)[1];
    throw new InputError("OUTPUT_NOT_WRITABLE", reason, `${option} ${path}`);
  }
}

/** A file that could not be written, as an error code and a one-line reason. */
export function outputError(err: unknown): [code: string, message: string] {
  if (err instanceof ReftrailError) return [err.code, err.message];
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return ["OUTPUT_NOT_WRITABLE", "its directory does not exist"];
  return ["OUTPUT_NOT_WRITABLE", describeFileError(err).message.replace("cannot be read", "cannot be written")];
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

/** Warnings go to stderr after the result, so a failing command still prints exactly one line. */
export function warn(message: string): void {
  process.stderr.write(`reftrail: warning: ${printable(message)}\n`);
}

/** The one stderr line of a verification that did not pass (the details are on stdout). */
export function notVerified(message: string): void {
  process.stderr.write(`reftrail: not verified: ${printable(message)}\n`);
}
