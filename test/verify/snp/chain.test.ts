import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseRfc3339 } from "../../../src/util/rfc3339.js";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import { verifyChain, type ChainInput, type VerifiedChain } from "../../../src/verify/snp/chain.js";
import type { SnpCheck } from "../../../src/verify/snp/checks.js";
import { verifyReport, type ReportEvidence, type ReportVerdict } from "../../../src/verify/snp/verifier.js";
import { certificateBlobs, parseCertificate, type Certificate } from "../../../src/verify/x509/certificate.js";
import { parseCrl, type Crl } from "../../../src/verify/x509/crl.js";
import { COMMITTED } from "../../helpers/fixtures.js";
import { buildReport, milanTcb, testPki, type TestPki, type TestVek } from "../../helpers/snp-pki.js";

/*
 * The certificate chain: real AMD certificates (pinned roots, fixture VCEKs/VLEK) and test PKIs made
 * by openssl. Each failing case names the exact set of failed checks.
 */

const certs = (path: string): Certificate[] => certificateBlobs(new Uint8Array(readFileSync(join(COMMITTED, path)))).map(parseCertificate);
const cert = (path: string): Certificate => certs(path)[0]!;
const time = (text: string): bigint => parseRfc3339(text)!;
const failuresOf = (chain: VerifiedChain): SnpCheck[] => chain.checks.filter((c) => c.status === "failed" || c.status === "not run").map((c) => c.check);
const check = (checks: VerifiedChain["checks"] | ReportVerdict["checks"], name: SnpCheck) => checks.find((c) => c.check === name)!;
const CHAIN_CHECKS: SnpCheck[] = ["VEK_CERTIFICATE", "ISSUER_CERTIFICATE", "ROOT_TRUSTED", "ARK_SIGNATURE", "ASK_SIGNATURE", "VEK_SIGNATURE", "CERT_VALIDITY", "CRL"];

const AMD = {
  arkMilan: cert("amd/ark_milan.pem"),
  askMilan: cert("amd/ask_milan.pem"),
  arkGenoa: cert("amd/ark_genoa.pem"),
  askGenoa: cert("amd/ask_genoa.pem"),
};

interface RealSet {
  readonly dir: string;
  readonly vekFile: string;
  readonly at: string;
  readonly product: string;
  readonly kind: "VCEK" | "VLEK";
  readonly issuerCn: string;
}
const REAL: readonly RealSet[] = [
  { dir: "virtee_milan", vekFile: "vcek.der", at: "2025-06-01T00:00:00Z", product: "Milan", kind: "VCEK", issuerCn: "SEV-Milan" },
  { dir: "oak_genoa_oc", vekFile: "vcek.der", at: "2026-01-01T00:00:00Z", product: "Genoa", kind: "VCEK", issuerCn: "SEV-Genoa" },
  { dir: "oak_turin_oc", vekFile: "vcek.der", at: "2026-01-01T00:00:00Z", product: "Turin", kind: "VCEK", issuerCn: "SEV-Turin" },
  { dir: "trustee_milan_vlek", vekFile: "vlek.der", at: "2025-06-01T00:00:00Z", product: "Milan", kind: "VLEK", issuerCn: "SEV-VLEK-Milan" },
];
const real = (s: RealSet) => ({
  vek: cert(`snp-reports/${s.dir}/${s.vekFile}`),
  report: parseReport(new Uint8Array(readFileSync(join(COMMITTED, "snp-reports", s.dir, "report.bin")))),
});
const virtee = real(REAL[0]!);
/** virtee's VCEK: valid 2023-04-03T19:23:43Z .. 2030-04-03T19:23:43Z (MANIFEST.json), both ends inclusive. */
const VIRTEE_NOT_BEFORE = "2023-04-03T19:23:43Z";
const VIRTEE_NOT_AFTER = "2030-04-03T19:23:43Z";
const VIRTEE_AT = time("2025-06-01T00:00:00Z");

// Test PKIs, made once.
interface Hierarchy {
  readonly pki: TestPki;
  readonly ask: Certificate;
  readonly ark: Certificate;
}
const hierarchy = (name: string): Hierarchy => {
  const pki = testPki("Milan", "ASK", name);
  return { pki, ask: parseCertificate(certificateBlobs(Buffer.from(pki.askPem))[0]!), ark: parseCertificate(certificateBlobs(Buffer.from(pki.arkPem))[0]!) };
};
const test = hierarchy("chain-a");
const other = hierarchy("chain-b");
afterAll(() => {
  for (const h of [test, other]) rmSync(h.pki.dir, { recursive: true, force: true });
});

const chip = Uint8Array.from({ length: 64 }, (_, i) => i + 1);
const TCB = { bl: 3, tee: 0, snp: 8, ucode: 115 } as const;
const vcek = test.pki.vek({ tcb: TCB, hwId: chip });
const otherVcek = test.pki.vek({ tcb: TCB, hwId: chip });
const salt32 = test.pki.vek({ tcb: TCB, hwId: chip, saltLength: 32 });
const p256 = test.pki.vek({ tcb: TCB, hwId: chip, curve: "prime256v1" });
const vcekCert = parseCertificate(vcek.certDer);

/** Writes a VEK's PEM where `openssl ca -revoke` can read it. */
const pemFile = (v: TestVek, name: string) => {
  const file = join(test.pki.dir, `${name}.revoke.pem`);
  writeFileSync(file, v.certPem);
  return file;
};
const loadCrl = (file: string): Crl => parseCrl(certificateBlobs(new Uint8Array(readFileSync(file)), "X509 CRL")[0]!);
const CRLS = {
  none: loadCrl(test.pki.crl([])),
  unrelated: loadCrl(test.pki.crl([pemFile(otherVcek, "other")])),
  ask: loadCrl(test.pki.crl([test.pki.askCertFile])),
  vek: loadCrl(test.pki.crl([pemFile(vcek, "vcek")])),
  otherArk: loadCrl(other.pki.crl([])),
  stale: loadCrl(test.pki.crl([], 1)),
  pkcs1: loadCrl(test.pki.crl([], 24, false)),
};

const now = BigInt(Date.now()) * 1_000_000n;
const HOUR = 3_600_000_000_000n;

/** A report signed by `v` that binds to it, so that only chain checks can fail. */
const testReport = (v: TestVek) =>
  parseReport(buildReport({ version: 3, cpuid: [0x19, 0x01, 0x01], chipId: chip, reportedTcb: milanTcb(3, 0, 8, 115), currentTcb: milanTcb(3, 0, 8, 115) }, v.privateKey));

function testVerdict(v: TestVek, evidence: Partial<Omit<ReportEvidence, "report" | "vek">> = { ask: test.ask, ark: test.ark, trustedRoots: [test.ark] }, at = now): ReportVerdict {
  return verifyReport({ report: testReport(v), vek: parseCertificate(v.certDer), ...evidence }, { at });
}
const withCrl = (crl: Crl, at = now) => testVerdict(vcek, { ask: test.ask, ark: test.ark, trustedRoots: [test.ark], crl }, at);

describe("real AMD chains with the pinned defaults", () => {
  for (const s of REAL) {
    it(`${s.dir}: ${s.kind} ${s.product} → pinned ${s.issuerCn} → pinned ARK-${s.product}`, () => {
      const { vek, report } = real(s);
      const chain = verifyChain({ vek, at: time(s.at) });
      expect(failuresOf(chain)).toEqual([]);
      expect(chain.ok).toBe(true);
      expect(chain.checks.map((c) => [c.check, c.status])).toEqual(CHAIN_CHECKS.map((c) => [c, c === "CRL" ? "skipped" : "passed"]));
      expect({ kind: chain.vekKind, product: chain.product, issuer: chain.issuer?.subject.commonName, ark: chain.ark?.subject.commonName }).toEqual({
        kind: s.kind,
        product: s.product,
        issuer: s.issuerCn,
        ark: `ARK-${s.product}`,
      });
      expect(check(chain.checks, "ISSUER_CERTIFICATE").actual).toContain("(pinned)");
      const verdict = verifyReport({ report, vek }, { at: time(s.at) });
      expect(verdict.failures).toEqual([]);
    });
  }

  it("the same with AMD's ASK and ARK given explicitly (and as a KDS cert_chain bundle)", () => {
    expect(verifyReport({ report: virtee.report, vek: virtee.vek, ask: AMD.askMilan, ark: AMD.arkMilan }, { at: VIRTEE_AT }).failures).toEqual([]);
    const [ask, ark] = certs("amd/cert_chain/ask_ark_milan.pem");
    expect(verifyReport({ report: virtee.report, vek: virtee.vek, ask: ask!, ark: ark! }, { at: VIRTEE_AT }).failures).toEqual([]);
  });

  it("the VLEK fixture has expired at 2026-01-01: CERT_VALIDITY", () => {
    const s = REAL[3]!;
    const { vek, report } = real(s);
    expect(verifyReport({ report, vek }, { at: time("2026-01-01T00:00:00Z") }).failures).toEqual(["CERT_VALIDITY"]);
  });
});

describe("ROOT_TRUSTED", () => {
  it("a self-made 'ARK-Milan' given as ark without trustedRoots is not AMD's", () => {
    expect(test.ark.subject.commonName).toBe("ARK-Milan");
    const v = testVerdict(vcek, { ask: test.ask, ark: test.ark });
    expect(v.failures).toEqual(["ROOT_TRUSTED"]);
    expect(check(v.checks, "ROOT_TRUSTED").actual).toContain("not AMD's pinned ARK for Milan");
  });

  it("the same root listed in trustedRoots is trusted", () => {
    expect(testVerdict(vcek).failures).toEqual([]);
  });

  it("trustedRoots naming another root: the given ARK is not one of them", () => {
    const v = testVerdict(vcek, { ask: test.ask, ark: test.ark, trustedRoots: [other.ark] });
    expect(v.failures).toEqual(["ROOT_TRUSTED"]);
    expect(check(v.checks, "ROOT_TRUSTED").actual).toContain("not one of the trusted roots");
  });

  it("a trusted root with the same name that did not sign the ASK: ASK_SIGNATURE", () => {
    // other.ark has the same subject as test.ark, so only the signature tells them apart.
    const v = testVerdict(vcek, { ask: test.ask, ark: other.ark, trustedRoots: [other.ark] });
    expect(v.failures).toEqual(["ASK_SIGNATURE"]);
  });

  describe("trustedRoots without an ark: the root is taken from them, not from AMD's pins", () => {
    it("the only trusted root", () => {
      expect(testVerdict(vcek, { ask: test.ask, trustedRoots: [test.ark] }).failures).toEqual([]);
    });

    it("the trusted root that signed the ASK, among same-named ones", () => {
      const v = testVerdict(vcek, { ask: test.ask, trustedRoots: [other.ark, test.ark] });
      expect(v.failures).toEqual([]);
      expect(v.checks.find((c) => c.check === "ROOT_TRUSTED")!.status).toBe("passed");
    });

    it("several trusted roots, none of which signed the ASK: the root checks cannot run", () => {
      const v = testVerdict(vcek, { ask: test.ask, trustedRoots: [other.ark, AMD.arkMilan] });
      expect(v.failures).toEqual(["ROOT_TRUSTED", "ARK_SIGNATURE", "ASK_SIGNATURE"]);
      expect(check(v.checks, "ROOT_TRUSTED").status).toBe("not run");
    });

    it("AMD's real roots given as trustedRoots: the Milan one is chosen for a Milan VCEK", () => {
      const v = verifyReport({ report: virtee.report, vek: virtee.vek, trustedRoots: [AMD.arkGenoa, AMD.arkMilan] }, { at: VIRTEE_AT });
      expect(v.failures).toEqual([]);
    });

    it("a test root as the only trusted root of AMD's real chain: not the ASK's issuer", () => {
      const v = verifyReport({ report: virtee.report, vek: virtee.vek, trustedRoots: [test.ark] }, { at: VIRTEE_AT });
      // The test root was made today, after VIRTEE_AT, so it is not valid then either.
      expect(v.failures).toEqual(["ROOT_TRUSTED", "ASK_SIGNATURE", "CERT_VALIDITY"]);
      expect(check(v.checks, "ROOT_TRUSTED").actual).toContain("did not issue the ASK/ASVK");
    });

    it("a test VCEK with a trusted test root but no ASK: the failure names AMD's pinned ASK, which was used instead", () => {
      const v = testVerdict(vcek, { trustedRoots: [test.ark] });
      expect(v.failures).toEqual(["ISSUER_CERTIFICATE", "ROOT_TRUSTED", "ASK_SIGNATURE", "VEK_SIGNATURE"]);
      expect(check(v.checks, "ISSUER_CERTIFICATE").actual).toBe("SEV-Milan (pinned): did not issue the VCEK/VLEK (issuer name differs)");
    });
  });

  it("AMD's Genoa ARK as the root of a Milan chain is not pinned for Milan", () => {
    const v = verifyReport({ report: virtee.report, vek: virtee.vek, ask: AMD.askMilan, ark: AMD.arkGenoa }, { at: VIRTEE_AT });
    // The Genoa ARK neither is Milan's nor issued the Milan ASK (by name and by signature).
    expect(v.failures).toEqual(["ROOT_TRUSTED", "ASK_SIGNATURE"]);
  });
});

describe("ISSUER_CERTIFICATE and VEK_SIGNATURE", () => {
  it("a Milan VCEK with the Genoa ASK (Genoa ARK trusted): issuer and VCEK signature fail", () => {
    const v = verifyReport({ report: virtee.report, vek: virtee.vek, ask: AMD.askGenoa, ark: AMD.arkGenoa, trustedRoots: [AMD.arkGenoa] }, { at: VIRTEE_AT });
    expect(v.failures).toEqual(["ISSUER_CERTIFICATE", "VEK_SIGNATURE"]);
    expect(check(v.checks, "ISSUER_CERTIFICATE").actual).toContain("CN SEV-Genoa");
  });

  it("a Milan VCEK with the Genoa ASK and the pinned Milan ARK: the ASK's link to the ARK breaks as well", () => {
    const v = verifyReport({ report: virtee.report, vek: virtee.vek, ask: AMD.askGenoa }, { at: VIRTEE_AT });
    expect(v.failures).toEqual(["ISSUER_CERTIFICATE", "ROOT_TRUSTED", "ASK_SIGNATURE", "VEK_SIGNATURE"]);
  });

  it("a Milan VCEK with the Genoa ASK and the Genoa ARK, nothing trusted but AMD's pins", () => {
    const v = verifyReport({ report: virtee.report, vek: virtee.vek, ask: AMD.askGenoa, ark: AMD.arkGenoa }, { at: VIRTEE_AT });
    expect(v.failures).toEqual(["ISSUER_CERTIFICATE", "ROOT_TRUSTED", "VEK_SIGNATURE"]);
  });

  it("a test VCEK under AMD's real Milan ASK: not issued by it", () => {
    const v = testVerdict(vcek, { ask: AMD.askMilan, ark: AMD.arkMilan });
    expect(v.failures).toEqual(["ISSUER_CERTIFICATE", "VEK_SIGNATURE"]);
  });

  it("an ASK from another test PKI with the same name: VEK_SIGNATURE only", () => {
    const v = testVerdict(vcek, { ask: other.ask, ark: other.ark, trustedRoots: [other.ark] });
    expect(v.failures).toEqual(["VEK_SIGNATURE"]);
  });
});

describe("VEK_CERTIFICATE", () => {
  it("a VCEK signed with RSA-PSS salt 32 (AMD: 48)", () => {
    const v = testVerdict(salt32);
    expect(v.failures).toEqual(["VEK_CERTIFICATE"]);
    expect(check(v.checks, "VEK_CERTIFICATE").actual).toContain("salt 32");
    // The signature itself is valid with its own parameters.
    expect(check(v.checks, "VEK_SIGNATURE").status).toBe("passed");
  });

  it("a P-256 VEK", () => {
    const chain = verifyChain({ vek: parseCertificate(p256.certDer), ask: test.ask, ark: test.ark, trustedRoots: [test.ark], at: now });
    expect(failuresOf(chain)).toEqual(["VEK_CERTIFICATE"]);
    expect(check(chain.checks, "VEK_CERTIFICATE").actual).toContain("prime256v1");
  });

  it("an ASK given as the VEK (CN SEV-Milan, RSA key)", () => {
    const input: ChainInput = { vek: test.ask, ask: test.ask, ark: test.ark, trustedRoots: [test.ark], at: now };
    const chain = verifyChain(input);
    // Not an endorsement key; the ASK did not issue itself, nor does its own key verify it.
    expect(failuresOf(chain)).toEqual(["VEK_CERTIFICATE", "ISSUER_CERTIFICATE", "VEK_SIGNATURE"]);
    expect(chain.vekKind).toBeUndefined();
    expect(check(chain.checks, "VEK_CERTIFICATE").actual).toContain("subject CN SEV-Milan");
  });
});

describe("CERT_VALIDITY (virtee VCEK, validity from MANIFEST.json)", () => {
  const at = (text: string) => verifyReport({ report: virtee.report, vek: virtee.vek }, { at: time(text) });
  it("one second after notAfter", () => {
    const v = at("2030-04-03T19:23:44Z");
    expect(v.failures).toEqual(["CERT_VALIDITY"]);
    expect(check(v.checks, "CERT_VALIDITY").actual).toContain("SEV-VCEK");
  });
  it("one second before notBefore", () => expect(at("2023-04-03T19:23:42Z").failures).toEqual(["CERT_VALIDITY"]));
  it("years before notBefore", () => expect(at("2021-01-01T00:00:00Z").failures).toEqual(["CERT_VALIDITY"]));
  it("exactly notBefore and exactly notAfter (inclusive)", () => {
    expect(at(VIRTEE_NOT_BEFORE).failures).toEqual([]);
    expect(at(VIRTEE_NOT_AFTER).failures).toEqual([]);
  });
  it("the notBefore/notAfter read from the certificate are MANIFEST's", () => {
    expect([virtee.vek.notBefore, virtee.vek.notAfter]).toEqual([time(VIRTEE_NOT_BEFORE), time(VIRTEE_NOT_AFTER)]);
  });
});

describe("CRL (test PKI, ARK-signed CRLs made by openssl ca)", () => {
  it("no CRL: skipped", () => {
    const v = testVerdict(vcek);
    expect(v.failures).toEqual([]);
    expect(check(v.checks, "CRL").status).toBe("skipped");
  });

  it("an empty CRL: passed", () => {
    const v = withCrl(CRLS.none);
    expect(v.failures).toEqual([]);
    expect(check(v.checks, "CRL").status).toBe("passed");
  });

  it("a CRL revoking another VCEK only: passed", () => {
    expect(CRLS.unrelated.revoked.size).toBe(1);
    const v = withCrl(CRLS.unrelated);
    expect(v.failures).toEqual([]);
    expect(check(v.checks, "CRL").status).toBe("passed");
  });

  it("the ASK revoked", () => {
    const v = withCrl(CRLS.ask);
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toContain("SEV-Milan (serial 0x010001) is revoked");
  });

  it("the ARK's CRL listing the VCEK's serial does not concern the VCEK (the ASK issued it, not the ARK)", () => {
    expect(CRLS.vek.revoked.has(vcekCert.serial)).toBe(true);
    const v = withCrl(CRLS.vek);
    expect(v.failures).toEqual([]);
  });

  it("a CRL signed with PKCS#1 v1.5 instead of AMD's RSA-PSS", () => {
    const v = withCrl(CRLS.pkcs1);
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toContain("RSASSA-PSS");
  });

  it("a CRL signed by another ARK of the same name", () => {
    const v = withCrl(CRLS.otherArk);
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toBe("signature does not verify with the ARK");
  });

  it("a test CRL against AMD's real Milan chain: neither issued nor signed by the ARK", () => {
    const v = verifyReport({ report: virtee.report, vek: virtee.vek, crl: CRLS.none }, { at: VIRTEE_AT });
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toContain("not issued by the ARK");
  });

  it("a stale CRL (next update 1 h after issue, verified 2 h later)", () => {
    const v = withCrl(CRLS.stale, now + 2n * HOUR);
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toContain("stale");
  });

  it("a CRL without nextUpdate (its signature still valid) cannot be known to be current", () => {
    const v = withCrl({ ...CRLS.none, nextUpdate: undefined });
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toBe("no nextUpdate: it cannot be known to be current");
  });

  it("the same CRL is current within its hour", () => {
    expect(withCrl(CRLS.stale, now + HOUR / 2n).failures).toEqual([]);
  });
});

describe("CA constraints and critical extensions (RFC 5280 §6.1.4)", () => {
  /** A hierarchy with the given ARK/ASK extension lines; everything else as usual. */
  const odd = (name: string, options: Parameters<typeof testPki>[3]): Hierarchy & { vcek: TestVek } => {
    const pki = testPki("Milan", "ASK", name, options);
    const h = { pki, ask: parseCertificate(certificateBlobs(Buffer.from(pki.askPem))[0]!), ark: parseCertificate(certificateBlobs(Buffer.from(pki.arkPem))[0]!) };
    return { ...h, vcek: pki.vek({ tcb: TCB, hwId: chip }) };
  };
  const askNotCa = odd("ask-not-ca", { askExtensions: ["keyUsage=critical,keyCertSign"] });
  const askNoCertSign = odd("ask-no-certsign", { askExtensions: ["basicConstraints=critical,CA:true", "keyUsage=critical,digitalSignature"] });
  const arkPathZero = odd("ark-pathlen-0", { arkExtensions: ["basicConstraints=critical,CA:true,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign"] });
  const arkNoCrlSign = odd("ark-no-crlsign", { arkExtensions: ["basicConstraints=critical,CA:true", "keyUsage=critical,keyCertSign"] });
  const askBcNotCritical = odd("ask-bc-not-critical", { askExtensions: ["basicConstraints=CA:true", "keyUsage=critical,keyCertSign"] });
  const askCritical = odd("ask-critical", { askExtensions: ["basicConstraints=critical,CA:true", "keyUsage=critical,keyCertSign", "1.3.6.1.4.1.99999.1=critical,ASN1:NULL"] });
  const crlCritical = odd("crl-critical", { crlExtensions: ["1.3.6.1.4.1.99999.2=critical,ASN1:NULL"] });
  afterAll(() => {
    for (const h of [askNotCa, askNoCertSign, arkPathZero, arkNoCrlSign, askCritical, crlCritical, askBcNotCritical]) rmSync(h.pki.dir, { recursive: true, force: true });
  });
  // These certificates are made after `now` was taken; verify at a time after they were made.
  const later = () => BigInt(Date.now()) * 1_000_000n;
  const verdictUnder = (h: Hierarchy, v: TestVek, crl?: Crl) => testVerdict(v, { ask: h.ask, ark: h.ark, trustedRoots: [h.ark], ...(crl ? { crl } : {}) }, later());

  const hierarchyCases: [string, Hierarchy & { vcek: TestVek }, SnpCheck, string][] = [
    ["an ASK without basicConstraints cA (openssl would still sign with it)", askNotCa, "ISSUER_CERTIFICATE", "SEV-Milan: not a CA (basicConstraints cA is not TRUE)"],
    ["an ASK whose keyUsage lacks keyCertSign", askNoCertSign, "ISSUER_CERTIFICATE", "SEV-Milan: keyUsage lacks keyCertSign"],
    ["an ARK with path length 0 cannot have issued the ASK", arkPathZero, "ROOT_TRUSTED", "ARK-Milan: path length 0 forbids issuing the ASK/ASVK"],
    ["an ASK with a critical extension reftrail does not process", askCritical, "ISSUER_CERTIFICATE", "SEV-Milan: unprocessed critical extension 1.3.6.1.4.1.99999.1"],
    ["an ASK whose basicConstraints is not critical (RFC 5280 §4.2.1.9)", askBcNotCritical, "ISSUER_CERTIFICATE", "SEV-Milan: basicConstraints is not critical"],
  ];
  for (const [name, h, failing, actual] of hierarchyCases) {
    it(name, () => {
      const v = verdictUnder(h, h.vcek);
      expect(v.failures).toEqual([failing]);
      expect(check(v.checks, failing).actual).toBe(actual);
      // The signatures themselves are all valid: only the certificate's role is wrong.
      expect(["ARK_SIGNATURE", "ASK_SIGNATURE", "VEK_SIGNATURE"].map((c) => check(v.checks, c as SnpCheck).status)).toEqual(["passed", "passed", "passed"]);
    });
  }

  it("a VCEK that is a CA, one whose keyUsage lacks digitalSignature, one with a critical unknown extension", () => {
    const cases: [string[], string][] = [
      [["basicConstraints=critical,CA:true"], "a CA certificate (basicConstraints cA TRUE) used as the signing key"],
      [["keyUsage=critical,keyCertSign"], "keyUsage lacks digitalSignature"],
      [["1.3.6.1.4.1.99999.3=critical,ASN1:NULL"], "unprocessed critical extension 1.3.6.1.4.1.99999.3"],
    ];
    for (const [extraExtensions, problem] of cases) {
      const v = testVerdict(test.pki.vek({ tcb: TCB, hwId: chip, extraExtensions }), undefined, later());
      expect(v.failures, problem).toEqual(["VEK_CERTIFICATE"]);
      expect(check(v.checks, "VEK_CERTIFICATE").actual).toBe(problem);
    }
  });

  it("AMD's own extensions may be marked critical on a VCEK: reftrail processes them", () => {
    const v = testVerdict(test.pki.vek({ tcb: {}, hwId: chip, extraExtensions: ["1.3.6.1.4.1.3704.1.3.1=critical,ASN1:INTEGER:3", "1.3.6.1.4.1.3704.1.3.2=ASN1:INTEGER:0", "1.3.6.1.4.1.3704.1.3.3=ASN1:INTEGER:8", "1.3.6.1.4.1.3704.1.3.8=ASN1:INTEGER:115"] }), undefined, later());
    expect(v.failures).toEqual([]);
  });

  it("a CRL from an ARK whose keyUsage lacks cRLSign", () => {
    const crl = loadCrl(arkNoCrlSign.pki.crl([]));
    expect(verdictUnder(arkNoCrlSign, arkNoCrlSign.vcek).failures).toEqual([]);
    const v = verdictUnder(arkNoCrlSign, arkNoCrlSign.vcek, crl);
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toBe("the ARK's keyUsage lacks cRLSign");
  });

  it("a CRL with a critical extension (it might be a delta CRL or cover only part of the ARK's certificates)", () => {
    const crl = loadCrl(crlCritical.pki.crl([]));
    expect(crl.criticalExtensions).toEqual(["1.3.6.1.4.1.99999.2"]);
    const v = verdictUnder(crlCritical, crlCritical.vcek, crl);
    expect(v.failures).toEqual(["CRL"]);
    expect(check(v.checks, "CRL").actual).toBe("unprocessed critical extension 1.3.6.1.4.1.99999.2");
    // The usual openssl CRL (crlNumber, non-critical) has none.
    expect(CRLS.none.criticalExtensions).toEqual([]);
    expect(withCrl(CRLS.none).failures).toEqual([]);
  });
});
