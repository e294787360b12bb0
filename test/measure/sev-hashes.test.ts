import { describe, expect, it } from "vitest";
import { EMPTY_SHA256, cmdlineHash, sevHashesPage, sevHashesTable } from "../../src/measure/sev-hashes.js";
import { MeasureError } from "../../src/measure/errors.js";
import { toHex } from "../../src/util/bytes.js";

describe("QEMU kernel-hashes table", () => {
  it("reproduces the byte dump of the launch-digest spec §3", () => {
    // Kernel and initrd empty, append "console=ttyS0 loglevel=7".
    const table = sevHashesTable({ kernel: EMPTY_SHA256, initrd: EMPTY_SHA256, cmdline: cmdlineHash("console=ttyS0 loglevel=7") });
    const expected = [
      "06d63894224fc94cb479a793d411fd21", "a800",
      "d82dd09720bd944caa78e7714d36ab2a", "3200", "321c8eec6a77bad179511397f913a083067ad8cb737bb260aacbfe8df70fc50a",
      "31f7ba442f3ad74b9af141e29169781d", "3200", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "3794e74dd2ab7f42b835d5b172d2045b", "3200", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "0000000000000000",
    ].join("");
    expect(toHex(table)).toBe(expected);
  });
  it("hashes no command line as a lone NUL, and keeps whitespace unless asked to trim", () => {
    expect(toHex(cmdlineHash(undefined))).toBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    expect(toHex(cmdlineHash(""))).toBe("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
    expect(toHex(cmdlineHash(" console=ttyS0 "))).not.toBe(toHex(cmdlineHash("console=ttyS0")));
    expect(toHex(cmdlineHash(" console=ttyS0 ", { trim: true }))).toBe(toHex(cmdlineHash("console=ttyS0")));
  });
  it("places the table at its offset in the page and refuses to cross the page end", () => {
    const hashes = { kernel: EMPTY_SHA256, initrd: EMPTY_SHA256, cmdline: EMPTY_SHA256 };
    const page = sevHashesPage(hashes, 0xc00);
    expect(page.subarray(0, 0xc00).every((b) => b === 0)).toBe(true);
    expect(toHex(page.subarray(0xc00, 0xc00 + 176))).toBe(toHex(sevHashesTable(hashes)));
    expect(page.subarray(0xc00 + 176).every((b) => b === 0)).toBe(true);
    expect(() => sevHashesPage(hashes, 4096 - 175)).toThrow(MeasureError);
  });
});
