import { expect } from "vitest";
import { MeasureError } from "../../src/measure/errors.js";
import type { CliResult } from "./cli.js";

/** A rejected command: exit 2, nothing on stdout, exactly one line on stderr, no stack trace. */
export function expectRejected(result: CliResult, ...mentions: string[]): void {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe("");
  const lines = result.stderr.split("\n").filter((l) => l.length > 0);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^reftrail: error: /);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  for (const m of mentions) expect(lines[0]).toContain(m);
}

/** `fn` throws a MeasureError with this code (and nothing else does). */
export function expectMeasureError(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MeasureError);
    expect((err as MeasureError).code).toBe(code);
    return;
  }
  throw new Error(`expected MeasureError ${code}`);
}
