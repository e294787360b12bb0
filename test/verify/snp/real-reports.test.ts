import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import { verifyChain } from "../../../src/verify/snp/chain.js";
import { verifyReport, verifyReportWithChain } from "../../../src/verify/snp/verifier.js";
import { SnpPolicy } from "../../../src/schema/snp-policy.js";
import { certificateBlobs, parseCertificate } from "../../../src/verify/x509/certificate.js";
import { SnpError } from "../../../src/verify/snp/errors.js";
import { COMMITTED } from "../../helpers/fixtures.js";

interface ManifestSet {
  set: string;
  signer: "VCEK" | "VLEK";
  measurement: string;
  vek_validity: string;
  expected: Record<string, unknown>;
}
const ROOT = join(COMMITTED, "snp-reports");
const manifest = JSON.parse(readFileSync(join(ROOT, "MANIFEST.json"), "utf8")) as ManifestSet[];
const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

function load(set: string) {
  const files = readdirSync(join(ROOT, set));
  const certFile = files.find((f) => /^(vcek|vlek)\.(der|pem)$/.test(f))!;
  return {
    report: parseReport(readFileSync(join(ROOT, set, "report.bin"))),
    vek: parseCertificate(certificateBlobs(readFileSync(join(ROOT, set, certFile)))[0]!),
  };
}

/** A time inside the VEK validity the manifest states ("Mon D HH:MM:SS YYYY GMT .. …"). */
function insideValidity(m: ManifestSet): bigint {
  if (typeof m.expected["pinned_time_ms"] === "number") return BigInt(m.expected["pinned_time_ms"]) * 1_000_000n;
  const [from] = m.vek_validity.split(" .. ");
  return ns(from!) + 86_400n * 1_000_000_000n;
}

describe("every real report verifies or fails as the fixtures manifest says", () => {
  for (const m of manifest) {
    it(`${m.set}: ${m.expected["signature_chain_tcb_binding"]}`, () => {
      const { report, vek } = load(m.set);
      const at = insideValidity(m);
      const verdict = verifyReport({ report, vek }, { at });
      const crypto = verdict.checks.filter((c) => !c.check.startsWith("POLICY_"));
      expect(crypto.filter((c) => c.status === "failed" || c.status === "not run"), m.set).toEqual([]);
      expect(verdict.signer).toBe(m.signer);
      if (m.set === "gosevguest_milan") {
        // POLICY 0xB0000 sets DEBUG: refused by the default policy, accepted when the policy allows debug.
        expect(verdict.failures).toEqual(["POLICY_GUEST_POLICY"]);
        const allowDebug = SnpPolicy.parse({ version: 1, guestPolicy: { debug: true } });
        expect(verifyReport({ report, vek }, { at, policy: allowDebug }).verified).toBe(true);
      } else {
        expect(verdict.verified, verdict.failures.join(",")).toBe(true);
      }
      // The measurement policy accepts the manifest's MEASUREMENT and refuses any other.
      const wanted = SnpPolicy.parse({ version: 1, guestPolicy: { debug: true }, measurements: [m.measurement] });
      expect(verifyReport({ report, vek }, { at, policy: wanted }).verified).toBe(true);
      const other = SnpPolicy.parse({ version: 1, guestPolicy: { debug: true }, measurements: [m.measurement.replace(/^./, (c) => (c === "0" ? "1" : "0"))] });
      expect(verifyReport({ report, vek }, { at, policy: other }).failures).toEqual(["POLICY_MEASUREMENT"]);
    });
  }

  it("the VLEK (valid 2024-12-10..2025-12-10) passes at the pinned time and fails now", () => {
    const { report, vek } = load("trustee_milan_vlek");
    expect(verifyReport({ report, vek }, { at: 1748736000000n * 1_000_000n }).verified).toBe(true);
    const now = verifyReport({ report, vek }, { at: BigInt(Date.now()) * 1_000_000n });
    expect(now.failures).toEqual(["CERT_VALIDITY"]);
    expect(verifyReport({ report, vek }, { at: ns("2025-12-10T22:14:21Z") }).verified).toBe(true);
    expect(verifyReport({ report, vek }, { at: ns("2025-12-10T22:14:22Z") }).failures).toEqual(["CERT_VALIDITY"]);
  });

  it("Turin: PLATFORM_INFO bit 6 is tolerated, the 8-byte hwID and Turin TCB layout bind", () => {
    const { report, vek } = load("oak_turin_oc");
    const verdict = verifyReport({ report, vek }, { at: ns("2026-01-01T00:00:00Z") });
    expect(verdict.verified).toBe(true);
    expect(verdict.checks.find((c) => c.check === "TCB_BINDING")?.actual).toBe("fmc 0, bl 1, tee 0, snp 2, ucode 71");
  });
});

describe("real reports tampered with", () => {
  const at = ns("2026-06-01T00:00:00Z");
  const { report: genoa, vek: genoaVek } = load("oak_genoa_oc");
  const chain = verifyChain({ vek: genoaVek, at });

  it("every single-bit flip in the signed part is rejected: by the parser, or by the signature", () => {
    const outcomes = new Map<string, number>();
    const signed = 0x2a0;
    for (let i = 0; i < signed; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bytes = Uint8Array.from(genoa.bytes);
        bytes[i]! ^= 1 << bit;
        let outcome: string;
        try {
          const verdict = verifyReportWithChain(parseReport(bytes), chain, { at });
          expect(verdict.verified, `bit ${bit} of byte 0x${i.toString(16)}`).toBe(false);
          expect(verdict.failures).toContain("REPORT_SIGNATURE");
          outcome = "REPORT_SIGNATURE";
        } catch (err) {
          expect(err).toBeInstanceOf(SnpError);
          outcome = (err as SnpError).code;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }
    expect([...outcomes.keys()].sort()).toEqual(["REPORT_FORMAT", "REPORT_SIGNATURE", "REPORT_VERSION"]);
    expect([...outcomes.values()].reduce((a, b) => a + b)).toBe(signed * 8);
  }, 60_000);

  it("every single-bit flip in the signature is rejected", () => {
    for (const base of [0x2a0, 0x2e8]) {
      for (let i = base; i < base + 72; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const bytes = Uint8Array.from(genoa.bytes);
          bytes[i]! ^= 1 << bit;
          if (i - base >= 48) {
            // The 24 high bytes of each 72-byte field must be zero: a parse error.
            expect(() => parseReport(bytes)).toThrow(SnpError);
            continue;
          }
          expect(verifyReportWithChain(parseReport(bytes), chain, { at }).failures).toEqual(["REPORT_SIGNATURE"]);
        }
      }
    }
  }, 60_000);

  it("one flipped MEASUREMENT bit: REPORT_SIGNATURE only", () => {
    const bytes = Uint8Array.from(genoa.bytes);
    bytes[0x90]! ^= 1;
    expect(verifyReportWithChain(parseReport(bytes), chain, { at }).failures).toEqual(["REPORT_SIGNATURE"]);
  });

  it("a report checked against another chip's VCEK fails the signature and every binding", () => {
    const { vek: other } = load("azure_genoa_hcl");
    const verdict = verifyReport({ report: genoa, vek: other }, { at });
    expect(verdict.failures).toEqual(expect.arrayContaining(["REPORT_SIGNATURE", "CHIP_ID", "TCB_BINDING"]));
  });

  it("a Milan VCEK against the Genoa ASK fails the chain", () => {
    const { report, vek } = load("virtee_milan");
    const askGenoa = parseCertificate(certificateBlobs(readFileSync(join(COMMITTED, "amd/ask_genoa.pem")))[0]!);
    const verdict = verifyReport({ report, vek, ask: askGenoa }, { at });
    expect(verdict.failures).toEqual(expect.arrayContaining(["ISSUER_CERTIFICATE", "VEK_SIGNATURE"]));
    expect(verdict.failures).not.toContain("REPORT_SIGNATURE");
  });

  it("the pinned KDS cert_chain bundles give the same verdict as the built-in roots", () => {
    const { report, vek } = load("virtee_milan");
    const [ask, ark] = certificateBlobs(readFileSync(join(COMMITTED, "amd/cert_chain/ask_ark_milan.pem"))).map(parseCertificate);
    expect(verifyReport({ report, vek, ask: ask!, ark: ark! }, { at }).verified).toBe(true);
    // The Genoa bundle's root is AMD's, but not Milan's: refused.
    const [askG, arkG] = certificateBlobs(readFileSync(join(COMMITTED, "amd/cert_chain/ask_ark_genoa.pem"))).map(parseCertificate);
    expect(verifyReport({ report, vek, ask: askG!, ark: arkG! }, { at }).failures).toEqual(expect.arrayContaining(["ROOT_TRUSTED", "ISSUER_CERTIFICATE"]));
  });
});
