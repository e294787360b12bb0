import { writeFileAtomic } from "../util/atomic-write.js";

/** Left-aligned columns separated by two spaces, with a header row. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

/** Sends a command's result to stdout, or atomically to `--out FILE`. */
export function emit(text: string, out: string | undefined): void {
  if (out === undefined) process.stdout.write(text);
  else writeFileAtomic(out, text);
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + "\n";
}

export function warn(message: string): void {
  process.stderr.write(`reftrail: warning: ${message}\n`);
}
