import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import type { Product } from "../../../src/verify/snp/abi/product.js";
import type { SnpCheck } from "../../../src/verify/snp/checks.js";
import { verifyReport, type ReportVerdict } from "../../../src/verify/snp/verifier.js";
import { parseCertificate, type Certificate } from "../../../src/verify/x509/certificate.js";
import { buildReport, milanTcb, testPki, turinTcb, type ReportFields, type TestPki, type TestVek, type VekOptions } from "../../helpers/snp-pki.js";

/*
 * The binding of a report to its VCEK/VLEK: signature, signer type, product, chip and TCB. Every
 * report is signed (unless a case says otherwise) and every chain is valid, so a case's failures
 * are the binding checks it breaks and nothing else. No policy is given (DEFAULT_POLICY), and the
 * reports' guest policy (0x30000) meets it.
 */

const fill = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (seed * 37 + i * 11 + 3) & 0xff);
const pemCert = (text: string): Certificate => parseCertificate(new Uint8Array(Buffer.from(text.replace(/-----[A-Z ]+-----|\s+/g, ""), "base64")));

const chipA = fill(64, 1);
const chipB = fill(64, 2);
const turinHw = fill(8, 3);
const turinChip = Uint8Array.from([...turinHw, ...new Uint8Array(56)]);

/** tee 1 (not 0) so that every component can be one lower in a certificate. */
const MILAN = { bl: 3, tee: 1, snp: 8, ucode: 115 } as const;
const TURIN = { fmc: 1, bl: 2, tee: 1, snp: 3, ucode: 72 } as const;
type MilanTcb = Record<keyof typeof MILAN, number>;
type TurinTcb = Record<keyof typeof TURIN, number>;
const milanRaw = (t: MilanTcb) => milanTcb(t.bl, t.tee, t.snp, t.ucode);
const turinRaw = (t: TurinTcb) => turinTcb(t.fmc, t.bl, t.tee, t.snp, t.ucode);

interface Hierarchy {
  readonly pki: TestPki;
  readonly ask: Certificate;
  readonly ark: Certificate;
}
const hierarchy = (product: "Milan" | "Turin", signer: "ASK" | "ASVK"): Hierarchy => {
  const pki = testPki(product, signer, `binding-${product.toLowerCase()}-${signer.toLowerCase()}`);
  return { pki, ask: pemCert(pki.askPem), ark: pemCert(pki.arkPem) };
};

const milan = hierarchy("Milan", "ASK");
const turin = hierarchy("Turin", "ASK");
const milanVlek = hierarchy("Milan", "ASVK");
afterAll(() => {
  for (const h of [milan, turin, milanVlek]) rmSync(h.pki.dir, { recursive: true, force: true });
});

interface Key {
  readonly h: Hierarchy;
  readonly vek: TestVek;
  readonly cert: Certificate;
}
const issue = (h: Hierarchy, options: VekOptions): Key => {
  const vek = h.pki.vek(options);
  return { h, vek, cert: parseCertificate(vek.certDer) };
};

// Keys, issued once.
const vcekA = issue(milan, { tcb: MILAN, hwId: chipA });
const vcekB = issue(milan, { tcb: MILAN, hwId: chipB });
const milanLower = Object.fromEntries((Object.keys(MILAN) as (keyof typeof MILAN)[]).map((c) => [c, issue(milan, { tcb: { ...MILAN, [c]: MILAN[c] - 1 }, hwId: chipA })]));
const milanHigherSnp = issue(milan, { tcb: { ...MILAN, snp: MILAN.snp + 1 }, hwId: chipA });
const milanNoUcode = issue(milan, { tcb: { bl: MILAN.bl, tee: MILAN.tee, snp: MILAN.snp }, hwId: chipA });
const milanStruct1 = issue(milan, { tcb: MILAN, hwId: chipA, structVersion: 1 });
const vcekNoHwId = issue(milan, { tcb: MILAN });
const vcekWithCsp = issue(milan, { tcb: MILAN, hwId: chipA, cspId: "cc-us-east-2.amazonaws.com" });
const turinVcek = issue(turin, { tcb: TURIN, hwId: turinHw });
const turinLower = Object.fromEntries((Object.keys(TURIN) as (keyof typeof TURIN)[]).map((c) => [c, issue(turin, { tcb: { ...TURIN, [c]: TURIN[c] - 1 }, hwId: turinHw })]));
const turinStruct0 = issue(turin, { tcb: TURIN, hwId: turinHw, structVersion: 0 });
const vlek = issue(milanVlek, { kind: "VLEK", productName: "Milan", tcb: MILAN, cspId: "cc-us-east-2.amazonaws.com" });
const vlekWithHwId = issue(milanVlek, { kind: "VLEK", productName: "Milan", tcb: MILAN, cspId: "cc-us-east-2.amazonaws.com", hwId: chipA });
const vlekNoCsp = issue(milanVlek, { kind: "VLEK", productName: "Milan", tcb: MILAN });
const milanShortHwId = issue(milan, { tcb: MILAN, hwId: turinHw });
const milanNoStruct = issue(milan, { tcb: MILAN, hwId: chipA, structVersion: null });
const milanWithFmc = issue(milan, { tcb: MILAN, hwId: chipA, extraExtensions: ["1.3.6.1.4.1.3704.1.3.9=ASN1:INTEGER:0"] });
const milanSpl5 = issue(milan, { tcb: MILAN, hwId: chipA, extraExtensions: ["1.3.6.1.4.1.3704.1.3.4=ASN1:INTEGER:0", "1.3.6.1.4.1.3704.1.3.5=ASN1:INTEGER:1"] });
const milanSpl4Zero = issue(milan, { tcb: MILAN, hwId: chipA, extraExtensions: ["1.3.6.1.4.1.3704.1.3.4=ASN1:INTEGER:0", "1.3.6.1.4.1.3704.1.3.7=ASN1:INTEGER:0"] });
const turinLongHwId = issue(turin, { tcb: TURIN, hwId: turinChip });

const at = BigInt(Date.now()) * 1_000_000n;

const MILAN_REPORT: ReportFields = { version: 3, cpuid: [0x19, 0x01, 0x01], chipId: chipA, reportedTcb: milanRaw(MILAN), currentTcb: milanRaw(MILAN) };
const TURIN_REPORT: ReportFields = { version: 5, cpuid: [0x1a, 0x02, 0x01], chipId: turinChip, reportedTcb: turinRaw(TURIN), currentTcb: turinRaw(TURIN) };
const VLEK_SIGNED = 1 << 2;
const UNSIGNED = 7 << 2;

interface Options {
  /** The key that signs the report; default the verifying certificate's; null: unsigned (zero signature). */
  readonly signer?: Key | null;
  readonly product?: Product;
  /** Changes the signed bytes afterwards. */
  readonly tamper?: (bytes: Uint8Array) => void;
}

function verdict(key: Key, fields: ReportFields, o: Options = {}): ReportVerdict {
  const signer = o.signer === undefined ? key : o.signer;
  const bytes = buildReport(fields, signer?.vek.privateKey);
  o.tamper?.(bytes);
  return verifyReport(
    { report: parseReport(bytes), vek: key.cert, ask: key.h.ask, ark: key.h.ark, trustedRoots: [key.h.ark] },
    { at, ...(o.product ? { product: o.product } : {}) },
  );
}

const result = (v: ReportVerdict, check: SnpCheck) => v.checks.find((c) => c.check === check)!;

describe("the good cases", () => {
  it("Milan VCEK: every check passed (no CRL)", () => {
    const v = verdict(vcekA, MILAN_REPORT);
    expect(v.failures).toEqual([]);
    expect(v.verified).toBe(true);
    expect({ product: v.product, signer: v.signer }).toEqual({ product: "Milan", signer: "VCEK" });
    for (const c of v.checks) if (!c.check.startsWith("POLICY_")) expect([c.check, c.status]).toEqual([c.check, c.check === "CRL" ? "skipped" : "passed"]);
  });

  it("Milan v2 report (no CPUID): product from the VCEK", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, version: 2 });
    expect(v.failures).toEqual([]);
    expect(v.product).toBe("Milan");
    expect(result(v, "PRODUCT").actual).toContain("Milan-B0");
  });

  it("Turin VCEK: 8-byte hwID equals CHIP_ID[0:8], the rest of CHIP_ID zero", () => {
    const v = verdict(turinVcek, TURIN_REPORT);
    expect(v.failures).toEqual([]);
    expect(v.product).toBe("Turin");
    expect(result(v, "CHIP_ID").status).toBe("passed");
    expect(result(v, "TCB_BINDING").status).toBe("passed");
  });

  it("CURRENT_TCB above the VCEK TCB (= REPORTED_TCB) is fine", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, currentTcb: milanRaw({ ...MILAN, snp: 9, ucode: 200 }) });
    expect(v.failures).toEqual([]);
  });
});

describe("REPORT_SIGNATURE and CHIP_ID", () => {
  it("another chip's VCEK (same PKI, different hwID): signature and chip fail", () => {
    const v = verdict(vcekB, MILAN_REPORT, { signer: vcekA });
    expect(v.failures).toEqual(["REPORT_SIGNATURE", "CHIP_ID"]);
    expect(result(v, "CHIP_ID").detail).toContain("another chip");
  });

  it("a report signed by chip B's key naming chip A's CHIP_ID: only CHIP_ID fails", () => {
    const v = verdict(vcekB, MILAN_REPORT);
    expect(v.failures).toEqual(["CHIP_ID"]);
  });

  it("one signed byte changed after signing: REPORT_SIGNATURE", () => {
    const v = verdict(vcekA, MILAN_REPORT, { tamper: (b) => void (b[0x90] = b[0x90]! ^ 1) });
    expect(v.failures).toEqual(["REPORT_SIGNATURE"]);
  });

  it("unsigned report (SIGNING_KEY 7, zero signature): REPORT_SIGNATURE", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, signerInfo: UNSIGNED }, { signer: null });
    expect(v.failures).toEqual(["REPORT_SIGNATURE"]);
    expect(result(v, "REPORT_SIGNATURE").actual).toContain("unsigned");
  });

  it("SIGNING_KEY 7 fails even when the bytes carry a valid signature", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, signerInfo: UNSIGNED });
    expect(v.failures).toEqual(["REPORT_SIGNATURE"]);
  });

  it("masked (zero) CHIP_ID: CHIP_ID skipped, report verified (Milan)", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, chipId: new Uint8Array(64) });
    expect(v.failures).toEqual([]);
    expect(result(v, "CHIP_ID").status).toBe("skipped");
  });

  it("masked (zero) CHIP_ID: CHIP_ID skipped, report verified (Turin)", () => {
    const v = verdict(turinVcek, { ...TURIN_REPORT, chipId: new Uint8Array(64) });
    expect(v.failures).toEqual([]);
    expect(result(v, "CHIP_ID").status).toBe("skipped");
  });

  it("Turin: CHIP_ID[8:64] non-zero fails CHIP_ID", () => {
    const chip = Uint8Array.from(turinChip);
    chip[63] = 1;
    expect(verdict(turinVcek, { ...TURIN_REPORT, chipId: chip }).failures).toEqual(["CHIP_ID"]);
  });

  it("Turin: CHIP_ID[0:8] differing from the hwID fails CHIP_ID", () => {
    const chip = Uint8Array.from(turinChip);
    chip[7] = chip[7]! ^ 0x80;
    expect(verdict(turinVcek, { ...TURIN_REPORT, chipId: chip }).failures).toEqual(["CHIP_ID"]);
  });
});

describe("TCB_BINDING", () => {
  for (const c of Object.keys(MILAN) as (keyof typeof MILAN)[]) {
    it(`Milan VCEK ${c}SPL one below REPORTED_TCB`, () => {
      const v = verdict(milanLower[c]!, MILAN_REPORT);
      expect(v.failures).toEqual(["TCB_BINDING"]);
      expect(result(v, "TCB_BINDING").detail).toBe(`differs in ${c}`);
    });
  }

  for (const c of Object.keys(TURIN) as (keyof typeof TURIN)[]) {
    it(`Turin VCEK ${c}SPL one below REPORTED_TCB`, () => {
      const v = verdict(turinLower[c]!, TURIN_REPORT);
      expect(v.failures).toEqual(["TCB_BINDING"]);
      expect(result(v, "TCB_BINDING").detail).toBe(`differs in ${c}`);
    });
  }

  it("Milan VCEK snpSPL above REPORTED_TCB (CURRENT_TCB high enough)", () => {
    const v = verdict(milanHigherSnp, { ...MILAN_REPORT, currentTcb: milanRaw({ ...MILAN, snp: 20 }) });
    expect(v.failures).toEqual(["TCB_BINDING"]);
  });

  // Certificates whose extensions cannot belong to the report's TCB; TCB_BINDING alone fails, with this detail.
  const certificateCases: [string, Key, ReportFields, string][] = [
    ["Milan VCEK without a ucodeSPL extension", milanNoUcode, MILAN_REPORT, "differs in ucode"],
    ["structVersion 0 on a Turin VCEK", turinStruct0, TURIN_REPORT, "structVersion 0 is not Turin's 1"],
    ["structVersion 1 on a Milan VCEK", milanStruct1, MILAN_REPORT, "structVersion 1 is not Milan's 0"],
    ["a VCEK without structVersion (every real one has it)", milanNoStruct, MILAN_REPORT, "structVersion absent is not Milan's 0"],
    ["an fmcSPL on a Milan VCEK (Milan's TCB has no FMC byte)", milanWithFmc, MILAN_REPORT, "fmcSPL on a Milan certificate"],
  ];
  for (const [name, key, fields, detail] of certificateCases) {
    it(name, () => {
      const v = verdict(key, fields);
      expect(v.failures).toEqual(["TCB_BINDING"]);
      expect(result(v, "TCB_BINDING").detail).toBe(detail);
    });
  }

  it("a non-zero reserved SPL (spl5); zero spl4..spl7 as real VCEKs carry them pass", () => {
    const v = verdict(milanSpl5, MILAN_REPORT);
    expect(v.failures).toEqual(["TCB_BINDING"]);
    expect(result(v, "TCB_BINDING").detail).toBe("reserved SPL 1.3.6.1.4.1.3704.1.3.5 is not 0");
    expect(verdict(milanSpl4Zero, MILAN_REPORT).failures).toEqual([]);
  });
});

describe("TCB_CURRENT", () => {
  for (const c of Object.keys(MILAN) as (keyof typeof MILAN)[]) {
    it(`Milan REPORTED_TCB (= VCEK) above CURRENT_TCB in ${c}`, () => {
      const v = verdict(vcekA, { ...MILAN_REPORT, currentTcb: milanRaw({ ...MILAN, [c]: MILAN[c] - 1 }) });
      expect(v.failures).toEqual(["TCB_CURRENT"]);
      expect(result(v, "TCB_CURRENT").detail).toBe(`above CURRENT_TCB in ${c}`);
    });
  }

  it("component-wise: CURRENT_TCB snp lower, ucode far higher", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, currentTcb: milanRaw({ ...MILAN, snp: MILAN.snp - 1, ucode: 255 }) });
    expect(v.failures).toEqual(["TCB_CURRENT"]);
  });

  it("Turin REPORTED_TCB above CURRENT_TCB in fmc", () => {
    const v = verdict(turinVcek, { ...TURIN_REPORT, currentTcb: turinRaw({ ...TURIN, fmc: 0, ucode: 255 }) });
    expect(v.failures).toEqual(["TCB_CURRENT"]);
    expect(result(v, "TCB_CURRENT").detail).toBe("above CURRENT_TCB in fmc");
  });
});

describe("SIGNER_TYPE and VLEKs", () => {
  it("a VLEK (ASVK PKI, cspId, no hwID) with SIGNING_KEY 1 verifies; CHIP_ID skipped", () => {
    const v = verdict(vlek, { ...MILAN_REPORT, signerInfo: VLEK_SIGNED });
    expect(v.failures).toEqual([]);
    expect(v.signer).toBe("VLEK");
    expect(result(v, "SIGNER_TYPE")).toMatchObject({ status: "passed", actual: "VLEK" });
    expect(result(v, "CHIP_ID").status).toBe("skipped");
  });

  it("a VLEK-signed report claiming a VCEK (signer info 0)", () => {
    const v = verdict(vlek, MILAN_REPORT);
    expect(v.failures).toEqual(["SIGNER_TYPE"]);
  });

  it("a VCEK-signed report claiming a VLEK (signer info SIGNING_KEY 1)", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, signerInfo: VLEK_SIGNED });
    expect(v.failures).toEqual(["SIGNER_TYPE"]);
  });

  it("a VCEK without hwID: SIGNER_TYPE fails, CHIP_ID cannot run", () => {
    const v = verdict(vcekNoHwId, MILAN_REPORT);
    expect(v.failures).toEqual(["SIGNER_TYPE", "CHIP_ID"]);
    expect(result(v, "SIGNER_TYPE").status).toBe("failed");
    expect(result(v, "CHIP_ID").status).toBe("not run");
  });

  it("a VCEK with a cspId", () => {
    expect(verdict(vcekWithCsp, MILAN_REPORT).failures).toEqual(["SIGNER_TYPE"]);
  });

  it("a VLEK with hwID", () => {
    expect(verdict(vlekWithHwId, { ...MILAN_REPORT, signerInfo: VLEK_SIGNED }).failures).toEqual(["SIGNER_TYPE"]);
  });

  it("a VLEK without cspId", () => {
    expect(verdict(vlekNoCsp, { ...MILAN_REPORT, signerInfo: VLEK_SIGNED }).failures).toEqual(["SIGNER_TYPE"]);
  });
});

describe("PRODUCT", () => {
  it("a v3 report with Genoa CPUID (19/11) under a Milan VCEK", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, cpuid: [0x19, 0x11, 0x01] });
    expect(v.failures).toEqual(["PRODUCT"]);
    expect(result(v, "PRODUCT").actual).toBe("CPUID Genoa, certificate Milan-B0");
  });

  it("a v3 report with Genoa CPUID model 0xA0 under a Milan VCEK", () => {
    expect(verdict(vcekA, { ...MILAN_REPORT, cpuid: [0x19, 0xa0, 0x02] }).failures).toEqual(["PRODUCT"]);
  });

  it("Turin CPUID under a Milan VCEK: the Turin TCB layout no longer matches either (Milan's snp byte is in Turin's reserved bytes)", () => {
    expect(verdict(vcekA, { ...MILAN_REPORT, cpuid: [0x1a, 0x02, 0x01] }).failures).toEqual(["PRODUCT", "TCB_RESERVED", "TCB_BINDING", "TCB_CURRENT"]);
  });

  it("an unknown CPUID (Venice-like 1A/50): product unknown, the TCB checks cannot run", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, cpuid: [0x1a, 0x50, 0x00] });
    expect(v.failures).toEqual(["PRODUCT", "TCB_RESERVED", "TCB_BINDING", "TCB_CURRENT"]);
    expect(result(v, "TCB_BINDING").status).toBe("not run");
    expect(result(v, "TCB_RESERVED").status).toBe("not run");
  });

  it("a caller product differing from CPUID and certificate", () => {
    expect(verdict(vcekA, MILAN_REPORT, { product: "Genoa" }).failures).toEqual(["PRODUCT"]);
  });

  it("a caller product agreeing with them", () => {
    expect(verdict(vcekA, MILAN_REPORT, { product: "Milan" }).failures).toEqual([]);
  });
});

describe("TCB_RESERVED", () => {
  // Milan/Genoa reserve bytes 2..5, Turin bytes 4..6 (sev-snp-report.md §2).
  const fields = ["reportedTcb", "currentTcb", "committedTcb", "launchTcb"] as const;
  for (const field of fields) {
    it(`Milan ${field} with byte 2 set fails TCB_RESERVED alone`, () => {
      const base = { ...MILAN_REPORT, committedTcb: milanRaw(MILAN), launchTcb: milanRaw(MILAN) };
      const v = verdict(vcekA, { ...base, [field]: (base[field] ?? 0n) | (1n << 16n) });
      expect(v.failures).toEqual(["TCB_RESERVED"]);
      expect(result(v, "TCB_RESERVED").actual).toContain(field.replace("Tcb", "").toUpperCase() + "_TCB");
    });

    it(`Turin ${field} with byte 5 set fails TCB_RESERVED alone`, () => {
      const base = { ...TURIN_REPORT, committedTcb: turinRaw(TURIN), launchTcb: turinRaw(TURIN) };
      const v = verdict(turinVcek, { ...base, [field]: (base[field] ?? 0n) | (1n << 40n) });
      expect(v.failures).toEqual(["TCB_RESERVED"]);
    });
  }

  it("both layouts pass their own good reports (Milan byte 2 is reserved, Turin byte 2 is tee)", () => {
    expect(result(verdict(vcekA, MILAN_REPORT), "TCB_RESERVED").status).toBe("passed");
    expect(result(verdict(turinVcek, TURIN_REPORT), "TCB_RESERVED").status).toBe("passed");
  });
});

describe("MASK_CHIP_KEY", () => {
  it("set on a VCEK-signed report: SIGNER_TYPE fails (the firmware writes zeros instead of a VCEK signature)", () => {
    const v = verdict(vcekA, { ...MILAN_REPORT, signerInfo: 1 << 1 });
    expect(v.failures).toEqual(["SIGNER_TYPE"]);
    expect(result(v, "SIGNER_TYPE").actual).toContain("MASK_CHIP_KEY");
  });

  it("set on a VLEK-signed report: not the chip key, accepted", () => {
    expect(verdict(vlek, { ...MILAN_REPORT, chipId: new Uint8Array(64), signerInfo: VLEK_SIGNED | (1 << 1) }).failures).toEqual([]);
  });
});

describe("hwID length per product (VEK_CERTIFICATE)", () => {
  it("a Milan VCEK with Turin's 8-byte hwID", () => {
    const v = verdict(milanShortHwId, { ...MILAN_REPORT, chipId: turinChip });
    expect(v.failures).toEqual(["VEK_CERTIFICATE"]);
    expect(result(v, "VEK_CERTIFICATE").actual).toContain("8-byte hwID (Milan: 64)");
  });

  it("a Turin VCEK with a 64-byte hwID", () => {
    const v = verdict(turinLongHwId, TURIN_REPORT);
    expect(v.failures).toEqual(["VEK_CERTIFICATE"]);
    expect(result(v, "VEK_CERTIFICATE").actual).toContain("64-byte hwID (Turin: 8)");
  });
});
