import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "../../../src/schema/parse.js";
import { EvidencePolicy } from "../../../src/schema/evidence-policy.js";
import { ReferenceValues } from "../../../src/schema/reference-values.js";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import { parseCertificate } from "../../../src/verify/x509/certificate.js";
import { policyForRelease } from "../../../src/verify/evidence/policy-init.js";
import { verifySnpEvidence, type SnpEvidenceVerdict } from "../../../src/verify/evidence/snp.js";
import { ROOT } from "../../helpers/fixtures.js";
import { endorseRelease, foundEndorsements, releaseTrust, type EndorsedRelease } from "../../helpers/release-endorsed.js";
import { buildReport, milanTcb, testPki, type TestPki, type TestVek } from "../../helpers/snp-pki.js";
import { tempDir } from "../../helpers/tlog.js";
import { hashedRekordFor } from "../../../src/endorse/publish.js";
import { signStatement } from "../../../src/endorse/sign.js";
import { signableStatement } from "../../../src/endorse/statement.js";
import { readPrivateKeyFile } from "../../../src/keys/key-store.js";
import { RekorClient } from "../../../src/tlog/client.js";
import { EmbeddedLog } from "../../../src/tlog/embedded/log.js";
import { inProcessTransport } from "../../../src/tlog/embedded/in-process.js";
import { loggedFromLogEntry } from "../../../src/tlog/read-logged.js";
import type { FoundEndorsement } from "../../../src/verify/evidence/endorsements.js";
import { readTsv } from "../../helpers/tsv.js";

/**
 * Stack 1 with the example release (Debian OVMF without a kernel-hashes table): a report whose
 * MEASUREMENT is a launch digest printed by sev-snp-measure (an oracle row, never reftrail's own
 * output) verifies against the release's logged endorsements; the kernel, initrd and command line
 * are skipped as not bound (policy init writes that), and a policy that asks for them fails NOT_BOUND.
 */
const VALUES = join(ROOT, "reference-values/2026.11.0.json");
const values = parseDocument(ReferenceValues, readFileSync(VALUES, "utf8"), VALUES);
const oracle = (vcpus: string, type: string, vmm: string, gf: string) => {
  const row = readTsv("launch-digests/oracle-visible.tsv").find(
    (r) => r["mode"] === "snp" && r["ovmf_file"] === "firmware/OVMF.fd" && r["vcpus"] === vcpus && r["vcpu_type"] === type && r["vmm_type"] === vmm && r["guest_features"] === gf && r["kernel_sha256"] === "-",
  );
  if (!row) throw new Error(`no oracle row for ${vcpus} ${type} ${vmm} ${gf}`);
  return Buffer.from(row["expected_digest_hex"]!, "hex");
};

/** The release's own policy, edited. */
function narrowed(edit: (p: EvidencePolicy) => void): EvidencePolicy {
  const p = policyForRelease(values);
  edit(p);
  return p;
}

let release: EndorsedRelease;
let pki: TestPki;
let vek: TestVek;
/** A day on: the test hierarchy's certificates start now. */
const at = BigInt(Date.now() + 86_400_000) * 1_000_000n;
const TCB = milanTcb(3, 0, 8, 115);
const pemCert = (text: string) => parseCertificate(new Uint8Array(Buffer.from(text.replace(/-----[A-Z ]+-----|\s+/g, ""), "base64")));

function report(measurement: Uint8Array) {
  const bytes = buildReport({ version: 3, measurement, reportedTcb: TCB, currentTcb: TCB, chipId: new Uint8Array(64).fill(7) }, vek.privateKey);
  const ark = pemCert(pki.arkPem);
  return { report: parseReport(bytes), vek: parseCertificate(vek.certDer), ask: pemCert(pki.askPem), ark, trustedRoots: [ark] };
}

function verify(measurement: Uint8Array, policy = policyForRelease(values), found = foundEndorsements(release.endorsements)): SnpEvidenceVerdict {
  return verifySnpEvidence({ report: report(measurement), endorsements: found }, { policy: EvidencePolicy.parse(policy), trust: releaseTrust(release, at) });
}

beforeAll(() => {
  release = endorseRelease(VALUES, tempDir("evidence-debian"), "2026.11.0");
  pki = testPki("Milan");
  vek = pki.vek({ tcb: { bl: 3, tee: 0, snp: 8, ucode: 115 }, hwId: new Uint8Array(64).fill(7) });
}, 120_000);

describe("verify evidence --format snp: the example release (firmware only)", () => {
  it("a measurement sev-snp-measure printed for an allowed configuration verifies, naming it", () => {
    const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"));
    expect(v.failures).toEqual([]);
    expect(v.verified).toBe(true);
    expect(v.configuration).toEqual({ vmm: "QEMU", vcpus: 2, vcpuType: "EPYC-Milan", vcpuSignature: "0xa00f11", guestFeatures: "0x1", kernelHashes: false });
    const rows = Object.fromEntries(v.components.map((c) => [c.component, c]));
    expect(rows["ovmf"]).toMatchObject({ status: "VERIFIED", boundBy: expect.stringMatching(/^launch digest/), found: v.measurement });
    for (const name of ["linux-cloud", "initrd", "cmdline"]) expect(rows[name]).toMatchObject({ status: "SKIPPED", detail: expect.stringMatching(/no kernel-hashes table/) });
    expect(v.checks.find((c) => c.check === "LAUNCH_DIGEST_ENDORSED")?.status).toBe("passed");
  });

  it("a policy that requires the kernel fails NOT_BOUND: the hardware did not measure it", () => {
    const policy = policyForRelease(values);
    policy.components["linux-cloud"] = { kind: "kernel", endorsement: { claims: [], log: { inclusionProof: true } } };
    const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"), policy);
    expect(v.verified).toBe(false);
    expect(v.failures).toEqual(["BINDING"]);
    expect(v.components.find((c) => c.component === "linux-cloud")?.status).toBe("NOT_BOUND");
  });

  it("ec2 with guest features 0x21 (an oracle row) verifies under the release's policy", () => {
    const v = verify(oracle("64", "-", "ec2", "0x21"));
    expect(v.failures).toEqual([]);
    expect(v.configuration).toMatchObject({ vmm: "ec2", vcpus: 64, guestFeatures: "0x21", vcpuType: null });
  });

  describe("a mismatch says what was tried and which endorsed configuration produces MEASUREMENT", () => {
    it("a vCPU count outside the policy", () => {
      const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"), narrowed((p) => (p.boot = p.boot.map((b) => ({ ...b, vcpus: "1" })))));
      expect(v.failures).toEqual(["MEASUREMENT"]);
      expect(v.diagnosis?.found?.configuration).toMatchObject({ vmm: "QEMU", vcpus: 2, vcpuType: "EPYC-Milan", guestFeatures: "0x1" });
      expect(v.diagnosis?.found?.differences).toEqual(["2 vCPUs, outside the policy's counts (1)"]);
      expect(v.checks.find((c) => c.check === "MEASUREMENT")?.detail).toMatch(/2 vCPUs, outside the policy's counts/);
    });
    it("guest features 0x40, which the release never published", () => {
      const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x40"));
      expect(v.failures).toEqual(["MEASUREMENT"]);
      expect(v.diagnosis?.found).toBeUndefined();
      expect(v.diagnosis?.summary).toMatch(/no endorsed release and configuration reftrail can recompute .* produces this MEASUREMENT/);
    });
    it("guest features 0x21 where the policy allows only 0x1", () => {
      const v = verify(oracle("2", "-", "ec2", "0x21"), narrowed((p) => (p.boot = p.boot.map((b) => ({ ...b, guestFeatures: ["0x1"] })))));
      expect(v.diagnosis?.found?.differences).toEqual(["guest features 0x21 instead of 0x1"]);
    });
    it("a vCPU model the policy does not list", () => {
      const v = verify(oracle("4", "EPYC-Rome", "QEMU", "0x1"), narrowed((p) => (p.boot = p.boot.map((b) => (b.vcpuTypes ? { ...b, vcpuTypes: ["EPYC-Milan"] } : b)))));
      expect(v.diagnosis?.found?.differences).toEqual(["vCPU EPYC-Rome (signature 0x830f10), not one the policy allows"]);
    });
  });

  it("an endorsement that does not verify is reported with its check and never used", () => {
    const found = foundEndorsements(release.endorsements).map((f) => {
      if (f.source !== "ovmf") return f;
      // The endorsed firmware digest, one digit changed: the statement no longer verifies.
      const statement = Buffer.from(f.logged.statement);
      const at = statement.indexOf('"snpFirmwareDigest"') + 22;
      statement[at] = statement[at] === 0x30 ? 0x31 : 0x30;
      return { ...f, logged: { ...f.logged, statement } };
    });
    const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"), undefined, found);
    expect(v.verified).toBe(false);
    expect(v.endorsements.find((e) => e.source === "ovmf")).toMatchObject({ accepted: false, refused: { check: "STATEMENT_SIGNATURE" } });
    expect(v.checks.find((c) => c.check === "MEASUREMENT")?.status).toBe("not run");
    expect(v.failures).toEqual(["COMPONENT_VALUE"]);
  });

  it("an endorsement of other values than the policy pins is refused by the policy", () => {
    const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"), narrowed((p) => (p.components["ovmf"]!.endorsement!.valuesSha256 = "0".repeat(64))));
    expect(v.endorsements.find((e) => e.source === "ovmf")?.refused?.check).toBe("POLICY");
    expect(v.failures).toContain("COMPONENT_VALUE");
  });

  it("a report whose signature does not verify fails REPORT_SIGNATURE, even with a matching measurement", () => {
    const r = report(oracle("2", "EPYC-Milan", "QEMU", "0x1"));
    const bytes = Buffer.from(r.report.bytes);
    bytes[0x2a0] = bytes[0x2a0]! ^ 1;
    const v = verifySnpEvidence({ report: { ...r, report: parseReport(bytes) }, endorsements: foundEndorsements(release.endorsements) }, { policy: policyForRelease(values), trust: releaseTrust(release, at) });
    expect(v.failures).toEqual(["REPORT_SIGNATURE"]);
  });

  it("an artifact the policy wants endorsed fails NOT_BOUND: no SEV-SNP launch measures it", () => {
    const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"), narrowed((p) => (p.components["ovmf-vars"] = { kind: "artifact", endorsement: { claims: [], log: { inclusionProof: true } } })));
    expect(v.failures).toEqual(["BINDING"]);
    expect(v.components.find((c) => c.component === "ovmf-vars")).toMatchObject({ status: "NOT_BOUND", detail: expect.stringMatching(/no SEV-SNP launch measures it/) });
  });

  it("a firmware endorsement whose own launch digest disagrees with its layout fails LAUNCH_DIGEST_ENDORSED", async () => {
    // The release's firmware values with the published 2-vCPU EPYC-Milan digest changed, endorsed with the
    // firmware's own key and logged: the recomputation from the same endorsement's layout disagrees.
    const firmware = structuredClone(values.components.find((c) => c.kind === "firmware")!);
    if (firmware.kind !== "firmware") throw new Error("no firmware");
    const entry = firmware.launchDigests.find((e) => e.mode === "snp" && e.vmmType === "QEMU" && e.vcpuType === "EPYC-Milan" && e.guestFeatures === "0x1")!;
    if (entry.mode === "sev") throw new Error("no per-vCPU entry");
    entry.digests["2"] = "ab".repeat(48);
    const key = readPrivateKeyFile(join(release.home, "keys", "ovmf.private.pem"));
    const now = BigInt(Date.now()) * 1_000_000n;
    const { bytes } = signableStatement(values.release, firmware, { issuedOn: now, notBefore: now - 60_000_000_000n, notAfter: now + 86_400_000_000_000n * 30n });
    const signature = signStatement(bytes, key.privateKey, key.publicKey);
    const log = EmbeddedLog.open(join(release.home, "log"));
    let tampered: FoundEndorsement;
    try {
      const { entryId, entry: logged } = await new RekorClient(inProcessTransport(log)).createEntry(hashedRekordFor({ statement: bytes, signature, publicKeyPem: key.publicKey.export({ type: "spki", format: "pem" }) as string }));
      tampered = { source: "ovmf (re-endorsed)", logged: loggedFromLogEntry(bytes, signature, JSON.stringify({ [entryId]: logged }), "logentry.json") };
    } finally {
      log.close();
    }
    const found = [...foundEndorsements(release.endorsements).filter((f) => f.source !== "ovmf"), tampered];
    const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"), narrowed((p) => delete p.components["ovmf"]!.endorsement!.valuesSha256), found);
    expect(v.failures).toEqual(["LAUNCH_DIGEST_ENDORSED"]);
    expect(v.failures).toEqual(["LAUNCH_DIGEST_ENDORSED"]);
    expect(v.checks.find((c) => c.check === "LAUNCH_DIGEST_ENDORSED")).toMatchObject({ status: "failed", actual: "ab".repeat(48), expected: v.measurement });
  });

  it("an endorsement of another kind than the policy says is refused: the kernel's endorsement is no firmware", () => {
    // The policy calls the kernel component its firmware: its (valid) endorsement must not be read as a firmware layout.
    const policy = narrowed((p) => {
      p.components = { "linux-cloud": { kind: "firmware", endorsement: { claims: [], log: { inclusionProof: true } } } };
    });
    const v = verify(oracle("2", "EPYC-Milan", "QEMU", "0x1"), policy);
    expect(v.verified).toBe(false);
    expect(v.endorsements.find((e) => e.component === "linux-cloud")?.refused).toEqual({ check: "POLICY", message: "endorses a kernel; the policy's 'linux-cloud' is a firmware" });
    expect(v.failures).toEqual(["COMPONENT_VALUE"]);
  });
});
