import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeReport, signReport, type ReportContent } from "../../../../src/verify/snp/abi/report-encode.js";
import { parseReport, REPORT_SIZE } from "../../../../src/verify/snp/abi/report.js";
import { SnpError } from "../../../../src/verify/snp/errors.js";
import { COMMITTED } from "../../../helpers/fixtures.js";
import { opensslVerifiesReport, requireOpenssl } from "../../../helpers/openssl.js";

const ROOT = join(COMMITTED, "snp-reports");
const sets = readdirSync(ROOT).filter((s) => !s.endsWith(".json"));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** A parsed report as encoder input: the same fields, without the bytes. */
const contentOf = (bytes: Uint8Array): ReportContent => {
  const { bytes: _, ...content } = parseReport(bytes);
  return content;
};

describe("encodeReport is the inverse of parseReport on every real report", () => {
  it("covers the real report sets (v2, v3 and v5, Milan, Genoa, Turin)", () => expect(sets.length).toBeGreaterThanOrEqual(9));
  for (const set of sets) {
    it(`${set}: writes the report AMD's firmware wrote, byte for byte, signature included`, () => {
      const original = new Uint8Array(readFileSync(join(ROOT, set, "report.bin")));
      expect(hex(encodeReport(contentOf(original)))).toBe(hex(original));
    });
  }
});

describe("encodeReport", () => {
  const base = contentOf(new Uint8Array(readFileSync(join(ROOT, "gosevguest_milan", "report.bin"))));

  it("leaves the signature zero when none is given", () => {
    const { signature: _, ...unsigned } = base;
    const bytes = encodeReport(unsigned);
    expect(bytes.byteLength).toBe(REPORT_SIZE);
    expect(bytes.subarray(0x2a0).every((b) => b === 0)).toBe(true);
  });

  it("refuses a byte field of the wrong size, naming it", () => {
    for (const [field, name] of [["measurement", "MEASUREMENT"], ["chipId", "CHIP_ID"], ["reportData", "REPORT_DATA"], ["hostData", "HOST_DATA"]] as const) {
      for (const size of [0, base[field].byteLength - 1, base[field].byteLength + 1]) {
        expect(() => encodeReport({ ...base, [field]: new Uint8Array(size) })).toThrow(new RegExp(`^${name} is ${size} bytes`));
      }
    }
    expect(() => encodeReport({ ...base, signature: { r: new Uint8Array(47), s: base.signature!.s } })).toThrow(SnpError);
  });

  it("writes values parseReport refuses (for tamper tests), and parseReport refuses them", () => {
    expect(() => parseReport(encodeReport({ ...base, version: 6 }))).toThrow(/VERSION is 6/);
    expect(() => parseReport(encodeReport({ ...base, signatureAlgo: 2 }))).toThrow(/SIGNATURE_ALGO is 2/);
    expect(() => parseReport(encodeReport({ ...base, version: 2, cpuid: { family: 0x19, model: 1, stepping: 1 } }))).toThrow(/reserved 0x188/);
  });
});

describe("signReport", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const { signature: _, ...content } = contentOf(new Uint8Array(readFileSync(join(ROOT, "virtee_milan", "report.bin"))));
  const unsigned = encodeReport(content);

  it("writes a signature openssl verifies over bytes 0x000..0x2A0 (r and s little-endian, 72-byte fields)", (ctx) => {
    requireOpenssl(ctx);
    const signed = signReport(unsigned, privateKey);
    const dir = mkdtempSync(join(tmpdir(), "reftrail-sign-report-"));
    for (const off of [0x2a0 + 48, 0x2e8 + 48]) expect(signed.subarray(off, off + 24).every((b) => b === 0)).toBe(true);
    expect(opensslVerifiesReport(signed, publicKey.export({ type: "spki", format: "pem" }).toString(), dir)).toBe(true);
    // And not once one signed byte changes.
    expect(opensslVerifiesReport(Uint8Array.from(signed, (b, i) => (i === 0x90 ? b ^ 1 : b)), publicKey.export({ type: "spki", format: "pem" }).toString(), dir)).toBe(false);
    expect(hex(signed.subarray(0, 0x2a0))).toBe(hex(unsigned.subarray(0, 0x2a0)));
  });

  it("refuses anything but a whole report", () => {
    expect(() => signReport(unsigned.subarray(0, REPORT_SIZE - 1), privateKey)).toThrow(SnpError);
  });
});
