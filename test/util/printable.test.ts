import { describe, expect, it } from "vitest";
import { printable } from "../../src/util/printable.js";

describe("printable", () => {
  it("escapes C0 and C1 controls, DEL and bidirectional overrides; leaves other text alone", () => {
    expect(printable("a\u001b[2Kb")).toBe("a\\x1b[2Kb");
    expect(printable("tab\there\nline\r")).toBe("tab\\x09here\\x0aline\\x0d");
    expect(printable("\u007f\u009b\u202e\u2066")).toBe("\\x7f\\x9b\\u202e\\u2066");
    expect(printable("ovmf — 2026-11-22 ≤ ü")).toBe("ovmf — 2026-11-22 ≤ ü");
  });
});
