import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseRfc3339 } from "../../../../src/util/rfc3339.js";
import { isHclReport, parseHclReport } from "../../../../src/verify/snp/abi/hcl.js";
import { SnpError } from "../../../../src/verify/snp/errors.js";
import { verifyReport } from "../../../../src/verify/snp/verifier.js";
import { certificateBlobs, parseCertificate } from "../../../../src/verify/x509/certificate.js";
import { parseReport } from "../../../../src/verify/snp/abi/report.js";
import { COMMITTED } from "../../../helpers/fixtures.js";
import { buildReport, milanTcb, testPki } from "../../../helpers/snp-pki.js";

/*
 * Expected values: MANIFEST.json (report.bin is bytes 0x20..0x4C0 of hcl-report.bin; REPORT_DATA[0:32]
 * is the SHA-256 of the HCL variable data), the byte layout of Microsoft's az-snp-vtpm hcl.rs
 * (header: magic, version, report size, request type; runtime data at 0x4C0: data size, version,
 * report type, hash type, variable data size), and sha256 from node over the bytes sliced here.
 */

const REPORTS = join(COMMITTED, "snp-reports");
const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");
const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as { set: string; report_data: string }[];
const SETS = ["azure_milan_hcl", "azure_genoa_hcl"] as const;
const load = (set: string) => new Uint8Array(readFileSync(join(REPORTS, set, "hcl-report.bin")));
const u32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset).getUint32(at, true);
const withU32 = (b: Uint8Array, at: number, value: number): Uint8Array => {
  const c = Uint8Array.from(b);
  new DataView(c.buffer).setUint32(at, value, true);
  return c;
};

function snpError(fn: () => unknown): SnpError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SnpError);
    return err as SnpError;
  }
  throw new Error("expected an SnpError");
}

describe("parseHclReport on the two real Azure HCL reports", () => {
  for (const set of SETS) {
    it(`${set}: the SNP report is MANIFEST's report.bin, REPORT_DATA[0:32] is the SHA-256 of the variable data`, () => {
      const bytes = load(set);
      expect(isHclReport(bytes)).toBe(true);
      const hcl = parseHclReport(bytes);
      expect(hex(hcl.report.bytes)).toBe(hex(readFileSync(join(REPORTS, set, "report.bin"))));
      expect(hcl.hash).toBe("sha256");
      // The variable data as az-snp-vtpm finds it: after the 20-byte runtime header at 0x4C0, its size at 0x4D0.
      const variable = bytes.subarray(0x4c0 + 20, 0x4c0 + 20 + u32(bytes, 0x4d0));
      expect(hex(hcl.variableData)).toBe(hex(variable));
      const manifest = MANIFEST.find((m) => m.set === set)!;
      expect(createHash("sha256").update(variable).digest("hex")).toBe(manifest.report_data.slice(0, 64));
      // It is the paravisor's JSON with the vTPM attestation key.
      expect((JSON.parse(Buffer.from(hcl.variableData).toString("utf8")) as { keys: { kid: string }[] }).keys[0]!.kid).toBe("HCLAkPub");
    });
  }

  it("reads header version 1 (Milan) and 2 (Genoa)", () => {
    expect(parseHclReport(load("azure_milan_hcl")).headerVersion).toBe(1);
    expect(parseHclReport(load("azure_genoa_hcl")).headerVersion).toBe(2);
  });

  it("a plain report, hex text and an empty file are not HCL reports", () => {
    expect(isHclReport(new Uint8Array(readFileSync(join(REPORTS, "azure_milan_hcl", "report.bin"))))).toBe(false);
    expect(isHclReport(new Uint8Array(0))).toBe(false);
    expect(isHclReport(Buffer.from("HCL"))).toBe(false);
  });
});

describe("parseHclReport refuses malformed HCL reports, naming the field", () => {
  const good = load("azure_milan_hcl");
  const size = u32(good, 8);

  it("every truncation up to the end of the runtime data", () => {
    for (let n = 0; n < size; n++) expect(() => parseHclReport(good.subarray(0, n)), `length ${n}`).toThrow(SnpError);
    expect(parseHclReport(good.subarray(0, size)).variableData.byteLength).toBe(u32(good, 0x4d0));
  });

  it("a wrong magic, header version, request type, runtime version, report type or hash type", () => {
    const cases: [number, number, RegExp][] = [
      [0, 0x414c4349, /does not start with 'HCLA'/],
      [4, 3, /header version 3/],
      [4, 0, /header version 0/],
      [12, 4, /request type 4 is not 2/],
      [0x4c4, 2, /runtime data version 2/],
      [0x4c8, 4, /report type 4 is not 2/],
      [0x4cc, 0, /hash type 0/],
      [0x4cc, 4, /hash type 4/],
    ];
    for (const [at, value, message] of cases) expect(snpError(() => parseHclReport(withU32(good, at, value))).message, `offset ${at}`).toMatch(message);
  });

  it("a non-zero status or reserved header byte (0x10..0x20)", () => {
    for (const at of [0x10, 0x14, 0x1f]) {
      const c = Uint8Array.from(good);
      c[at] = 1;
      expect(snpError(() => parseHclReport(c)).message, `byte ${at}`).toMatch(new RegExp(`header byte 0x${at.toString(16)} .* is not zero`));
    }
  });

  it("sizes that disagree: data size, variable size, report size", () => {
    expect(snpError(() => parseHclReport(withU32(good, 0x4c0, u32(good, 0x4c0) + 1))).message).toMatch(/runtime data size/);
    expect(snpError(() => parseHclReport(withU32(good, 0x4d0, u32(good, 0x4d0) - 1))).message).toMatch(/runtime data size/);
    expect(snpError(() => parseHclReport(withU32(good, 8, size + 1))).message).toMatch(/report size/);
    // Consistent sizes that claim more than the file holds.
    const grown = withU32(withU32(withU32(good, 0x4d0, 5000), 0x4c0, 5020), 8, 0x4c0 + 5020);
    expect(snpError(() => parseHclReport(grown)).message).toMatch(/runs past the end/);
  });

  it("anything but zeros after the report", () => {
    const c = Uint8Array.from(good);
    c[c.byteLength - 1] = 1;
    expect(snpError(() => parseHclReport(c)).message).toMatch(/not zero padding/);
  });

  it("the SNP report inside is parsed as strictly as a bare one", () => {
    const c = withU32(good, 0x20, 1);
    expect(snpError(() => parseHclReport(c)).code).toBe("REPORT_VERSION");
    // A reserved byte at file offset 0x350 is the report's 0x330; the message says which frame it uses.
    const reserved = Uint8Array.from(good);
    reserved[0x350] = 1;
    const err = snpError(() => parseHclReport(reserved));
    expect(err.code).toBe("REPORT_FORMAT");
    expect(err.message).toMatch(/^HCL report: the SNP report at file offset 0x20 \(offsets below are within it\): .*0x330/);
  });
});

describe("HCL_RUNTIME_DATA", () => {
  const vcek = (set: string) => parseCertificate(certificateBlobs(new Uint8Array(readFileSync(join(REPORTS, set, "vcek.pem"))))[0]!);
  const at = parseRfc3339("2026-01-01T00:00:00Z")!;

  for (const set of SETS) {
    it(`${set}: passes with the runtime data, and is absent for the bare report`, () => {
      const hcl = parseHclReport(load(set));
      const verdict = verifyReport({ report: hcl.report, hcl, vek: vcek(set) }, { at });
      expect(verdict.failures).toEqual([]);
      expect(verdict.checks.find((c) => c.check === "HCL_RUNTIME_DATA")?.status).toBe("passed");
      expect(verifyReport({ report: hcl.report, vek: vcek(set) }, { at }).checks.some((c) => c.check === "HCL_RUNTIME_DATA")).toBe(false);
    });
  }

  it("fails alone when any byte of the variable data changes (the SNP signature still verifies)", () => {
    const good = parseHclReport(load("azure_milan_hcl"));
    for (const offset of [0, 1, 500, good.variableData.byteLength - 1]) {
      const variableData = Uint8Array.from(good.variableData);
      variableData[offset]! ^= 0x01;
      const verdict = verifyReport({ report: good.report, hcl: { hash: good.hash, variableData }, vek: vcek("azure_milan_hcl") }, { at });
      expect(verdict.failures, `offset ${offset}`).toEqual(["HCL_RUNTIME_DATA"]);
    }
  });

  it("fails unless VMPL is 0, even when REPORT_DATA commits to the runtime data (test PKI, signed reports)", () => {
    const pki = testPki("Milan", "ASK", "hcl-vmpl");
    try {
      const chip = Uint8Array.from({ length: 64 }, (_, i) => i + 7);
      const vek = pki.vek({ tcb: { bl: 3, tee: 0, snp: 8, ucode: 115 }, hwId: chip });
      const variableData = new Uint8Array(Buffer.from('{"keys":[{"kid":"HCLAkPub","kty":"RSA"}]}'));
      const reportData = new Uint8Array(64);
      reportData.set(createHash("sha256").update(variableData).digest());
      const ask = parseCertificate(certificateBlobs(Buffer.from(pki.askPem))[0]!);
      const ark = parseCertificate(certificateBlobs(Buffer.from(pki.arkPem))[0]!);
      const verdictAt = (vmpl: number) => {
        const report = parseReport(buildReport({ version: 3, vmpl, reportData, chipId: chip, reportedTcb: milanTcb(3, 0, 8, 115), currentTcb: milanTcb(3, 0, 8, 115) }, vek.privateKey));
        return verifyReport({ report, hcl: { hash: "sha256", variableData }, vek: parseCertificate(vek.certDer), ask, ark, trustedRoots: [ark] }, { at: BigInt(Date.now()) * 1_000_000n });
      };
      expect(verdictAt(0).failures).toEqual([]);
      for (const vmpl of [1, 2, 3]) {
        const v = verdictAt(vmpl);
        expect(v.failures, `VMPL ${vmpl}`).toEqual(["HCL_RUNTIME_DATA"]);
        expect(v.checks.find((c) => c.check === "HCL_RUNTIME_DATA")!.actual).toBe(`VMPL ${vmpl}`);
      }
    } finally {
      rmSync(pki.dir, { recursive: true, force: true });
    }
  });

  it("fails when the hash type says SHA-384 (REPORT_DATA holds a SHA-256 and zeros)", () => {
    const good = parseHclReport(load("azure_milan_hcl"));
    const verdict = verifyReport({ report: good.report, hcl: { hash: "sha384", variableData: good.variableData }, vek: vcek("azure_milan_hcl") }, { at });
    expect(verdict.failures).toEqual(["HCL_RUNTIME_DATA"]);
  });

  it("fails for another report's runtime data", () => {
    const milan = parseHclReport(load("azure_milan_hcl"));
    const genoa = parseHclReport(load("azure_genoa_hcl"));
    const verdict = verifyReport({ report: milan.report, hcl: genoa, vek: vcek("azure_milan_hcl") }, { at });
    expect(verdict.failures).toEqual(["HCL_RUNTIME_DATA"]);
  });
});
