import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import type { Product } from "../../../src/verify/snp/abi/product.js";
import { decodeTcb } from "../../../src/verify/snp/abi/tcb.js";
import { generateTestHierarchy, testReport, type TestHierarchy } from "../../../src/verify/snp/test-hierarchy.js";
import { verifyReport, type ReportVerdict } from "../../../src/verify/snp/verifier.js";
import { parseCertificate } from "../../../src/verify/x509/certificate.js";
import { openssl, opensslExtensions, opensslVerifiesReport, requireOpenssl } from "../../helpers/openssl.js";
import { tempDir } from "../../helpers/tlog.js";

const now = () => BigInt(Date.now()) * 1_000_000n;
const measurement = Uint8Array.from({ length: 48 }, (_, i) => i + 1);
const PRODUCTS: readonly Product[] = ["Milan", "Genoa", "Turin"];
const hierarchies = Object.fromEntries(PRODUCTS.map((p) => [p, generateTestHierarchy({ product: p })])) as Record<Product, TestHierarchy>;
const other = generateTestHierarchy({ product: "Milan" });

function verify(h: TestHierarchy, report: Uint8Array, trust: TestHierarchy | "amd" = h, at = now()): ReportVerdict {
  return verifyReport(
    {
      report: parseReport(report),
      vek: parseCertificate(h.vcek.der),
      ask: parseCertificate(h.ask.der),
      ark: parseCertificate(h.ark.der),
      ...(trust === "amd" ? {} : { trustedRoots: [parseCertificate(trust.ark.der)] }),
    },
    { at },
  );
}
const status = (v: ReportVerdict, check: string) => v.checks.find((c) => c.check === check)?.status;

describe("a test hierarchy and its reports verify only with its ARK as trusted root", () => {
  for (const product of PRODUCTS) {
    for (const version of [3, 5] as const) {
      it(`${product}, report version ${version}: verified with trustedRoots [ark], every binding check passing`, () => {
        const h = hierarchies[product];
        const v = verify(h, testReport(h, { measurement, version }));
        expect(v.failures).toEqual([]);
        expect(v.verified).toBe(true);
        expect(v.product).toBe(product);
        for (const check of ["ROOT_TRUSTED", "ASK_SIGNATURE", "VEK_SIGNATURE", "REPORT_SIGNATURE", "SIGNER_TYPE", "PRODUCT", "CHIP_ID", "TCB_BINDING", "TCB_CURRENT"]) {
          expect(status(v, check), check).toBe("passed");
        }
      });
    }
    it(`${product}: NOT verified against AMD's pinned roots (the default): ROOT_TRUSTED fails, and only that`, () => {
      const h = hierarchies[product];
      const v = verify(h, testReport(h, { measurement }), "amd");
      expect(v.verified).toBe(false);
      expect(v.failures).toEqual(["ROOT_TRUSTED"]);
      expect(v.checks.find((c) => c.check === "ROOT_TRUSTED")?.actual).toContain("not AMD's pinned ARK");
    });
  }

  it("NOT verified when another test hierarchy's ARK is the trusted root", () => {
    const h = hierarchies.Milan;
    expect(verify(h, testReport(h, { measurement }), other).failures).toEqual(["ROOT_TRUSTED"]);
  });

  it("NOT verified once the VCEK has expired (7 years) or before the certificates were made", () => {
    const h = hierarchies.Milan;
    const report = testReport(h, { measurement });
    const eightYears = 8n * 365n * 86_400n * 1_000_000_000n;
    expect(verify(h, report, h, now() + eightYears).failures).toEqual(["CERT_VALIDITY"]);
    expect(verify(h, report, h, now() - 2n * 86_400n * 1_000_000_000n).failures).toEqual(["CERT_VALIDITY"]);
  });

  it("every call makes new keys and a new chip", () => {
    const a = generateTestHierarchy();
    expect(Buffer.from(a.ark.der).equals(Buffer.from(other.ark.der))).toBe(false);
    expect(Buffer.from(a.chipId).equals(Buffer.from(other.chipId))).toBe(false);
  });
});

describe("testReport", () => {
  const h = hierarchies.Milan;

  it("carries the given MEASUREMENT and REPORT_DATA, CHIP_ID and TCBs of the VCEK, policy 0x30000, VMPL 0", () => {
    const reportData = new Uint8Array(64).fill(0x5a);
    const r = parseReport(testReport(h, { measurement, reportData }));
    expect([...r.measurement]).toEqual([...measurement]);
    expect([...r.reportData]).toEqual([...reportData]);
    expect([...r.chipId]).toEqual([...h.chipId]);
    expect(r.policy).toBe(0x30000n);
    expect(r.vmpl).toBe(0);
    expect(r.signerInfo.signingKey).toBe("VCEK");
    for (const tcb of [r.reportedTcb, r.currentTcb, r.committedTcb, r.launchTcb]) expect(tcb).toBe(h.tcb);
  });

  it("refuses a MEASUREMENT that is not 48 bytes", () => {
    expect(() => testReport(h, { measurement: new Uint8Array(32) })).toThrow(/MEASUREMENT is 32 bytes/);
  });

  describe("tampering is caught by the report signature", () => {
    const report = testReport(h, { measurement });
    const flipped = (off: number) => Uint8Array.from(report, (b, i) => (i === off ? b ^ 0x01 : b));
    for (const [what, off] of [["MEASUREMENT", 0x90], ["REPORT_DATA", 0x50], ["CHIP_ID", 0x1a0], ["REPORTED_TCB", 0x180], ["SIGNATURE.R", 0x2a0], ["SIGNATURE.S", 0x2e8 + 47]] as const) {
      it(`one bit of ${what}`, () => {
        const v = verify(h, flipped(off));
        expect(v.verified).toBe(false);
        expect(v.failures).toContain("REPORT_SIGNATURE");
      });
    }
    it("a report signed by another hierarchy's VCEK", () => {
      const v = verify(h, testReport(other, { measurement }));
      expect(v.failures).toContain("REPORT_SIGNATURE");
      expect(v.failures).toContain("CHIP_ID");
    });
  });
});

describe("openssl (independent) reads the generated certificates and report as AMD-like", () => {
  for (const product of PRODUCTS) {
    it(`${product}: x509 -text, verify (full chain and -partial_chain), asn1parse of the VCEK extensions, dgst of the report`, (ctx) => {
      requireOpenssl(ctx);
      const h = hierarchies[product];
      const dir = tempDir(`test-hierarchy-${product}`);
      writeFileSync(join(dir, "ark.pem"), h.ark.pem);
      writeFileSync(join(dir, "ask.pem"), h.ask.pem);
      writeFileSync(join(dir, "vcek.pem"), h.vcek.pem);

      const text = (file: string) => openssl(["x509", "-in", file, "-noout", "-text"], dir);
      for (const file of ["ark.pem", "ask.pem", "vcek.pem"]) {
        const t = text(file);
        expect(t).toMatch(/Version: 3/);
        expect(t).toMatch(/Signature Algorithm: rsassaPss[\s\S]*Hash Algorithm: sha384[\s\S]*Mask Algorithm: mgf1 with sha384[\s\S]*Salt Length: 0x30/);
        expect(t).toMatch(/Subject: O = reftrail test hierarchy, OU = TEST ONLY - not AMD, CN = /);
      }
      expect(openssl(["x509", "-in", "ark.pem", "-noout", "-subject", "-nameopt", "utf8"], dir).trim()).toBe("subject=O=reftrail test hierarchy, OU=TEST ONLY - not AMD, CN=reftrail TEST ARK — not AMD");
      expect(openssl(["x509", "-in", "ask.pem", "-noout", "-subject", "-issuer", "-nameopt", "utf8"], dir)).toContain(`CN=SEV-${product}\nissuer=O=reftrail test hierarchy, OU=TEST ONLY - not AMD, CN=reftrail TEST ARK — not AMD`);
      for (const file of ["ark.pem", "ask.pem"]) expect(text(file)).toMatch(/Basic Constraints: critical\s+CA:TRUE[\s\S]*Key Usage: critical\s+Certificate Sign, CRL Sign/);
      expect(text("vcek.pem")).toMatch(/Public Key Algorithm: id-ecPublicKey[\s\S]*NIST CURVE: P-384/);
      expect(text("vcek.pem")).toMatch(/Serial Number: 0 \(0x0\)/);

      expect(openssl(["verify", "-CAfile", "ark.pem", "-untrusted", "ask.pem", "vcek.pem"], dir).trim()).toBe("vcek.pem: OK");
      expect(openssl(["verify", "-partial_chain", "-CAfile", "ask.pem", "vcek.pem"], dir).trim()).toBe("vcek.pem: OK");
      expect(() => openssl(["verify", "-CAfile", "ark.pem", "vcek.pem"], dir)).toThrow();

      // AMD's extensions as openssl sees them (spec §6.3), against what the report says.
      const ext = opensslExtensions("vcek.pem", dir);
      const r = parseReport(testReport(h, { measurement }));
      const hwId = ext.get("1.3.6.1.4.1.3704.1.4")!;
      expect(hwId.length).toBe(product === "Turin" ? 16 : 128);
      expect(Buffer.from(r.chipId).toString("hex").startsWith(hwId)).toBe(true);
      expect(Buffer.from(r.chipId).toString("hex").slice(hwId.length)).toMatch(/^0*$/);
      const name = { Milan: "Milan-B0", Genoa: "Genoa", Turin: "Turin" }[product];
      expect(ext.get("1.3.6.1.4.1.3704.1.2")).toBe(`16${name.length.toString(16).padStart(2, "0")}${Buffer.from(name).toString("hex")}`);
      expect(ext.get("1.3.6.1.4.1.3704.1.1")).toBe(product === "Turin" ? "020101" : "020100");
      const spl = (n: number) => {
        const v = ext.get(`1.3.6.1.4.1.3704.1.3.${n}`);
        expect(v, `spl ${n}`).toMatch(/^0201[0-9a-f]{2}$|^020200[89a-f][0-9a-f]$/);
        return Number.parseInt(v!.slice(-2), 16);
      };
      const tcb = decodeTcb(r.reportedTcb, product);
      expect({ bl: spl(1), tee: spl(2), snp: spl(3), ucode: spl(8), ...(product === "Turin" ? { fmc: spl(9) } : {}) }).toEqual({ bl: tcb.bl, tee: tcb.tee, snp: tcb.snp, ucode: tcb.ucode, ...(product === "Turin" ? { fmc: tcb.fmc } : {}) });
      expect(ext.has("1.3.6.1.4.1.3704.1.3.4")).toBe(product !== "Turin");

      const vcekKey = openssl(["x509", "-in", "vcek.pem", "-noout", "-pubkey"], dir);
      const report = testReport(h, { measurement });
      expect(opensslVerifiesReport(report, vcekKey, dir)).toBe(true);
      expect(opensslVerifiesReport(testReport(other, { measurement }), vcekKey, dir)).toBe(false);
    });
  }
});
