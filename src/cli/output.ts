import { writeFileAtomic } from "../util/atomic-write.js";
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

/** Sends a command's result to stdout, or atomically to `--out FILE`. */
export function emit(text: string, out: string | undefined): void {
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileAtomic(out, text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "its directory does not exist" : describeFileError(err).message.replace("cannot be read", "cannot be written");
    throw new InputError("OUTPUT_NOT_WRITABLE", reason, `--out ${out}`);
  }
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
