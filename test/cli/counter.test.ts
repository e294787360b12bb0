import { describe, expect, it } from "vitest";
import { counter } from "../../src/cli/counter.js";

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
}

describe("counter", () => {
  // The first update draws whenever it comes: in a process younger than the 100 ms redraw interval too.
  it("draws on a terminal and ends its line", () => {
    const s = stream(true);
    const c = counter("entries written", s.stream);
    c.update("ovmf", 12_345);
    c.end();
    expect(s.written).toEqual(["\rovmf: 12,345 entries written\x1b[K", "\n"]);
  });

  it("writes nothing to a pipe (CI logs, --json consumers)", () => {
    const s = stream(false);
    const c = counter("entries written", s.stream);
    c.update("ovmf", 1);
    c.end();
    expect(s.written).toEqual([]);
  });
});
