import { beforeAll, describe, expect, it } from "vitest";
import { EvidencePolicy } from "../../../src/schema/evidence-policy.js";
import type { ReferenceValues } from "../../../src/schema/reference-values.js";
import { policyForRelease } from "../../../src/verify/evidence/policy-init.js";
import { verifySnpEvidence, type SnpEvidenceVerdict } from "../../../src/verify/evidence/snp.js";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import { parseCertificate } from "../../../src/verify/x509/certificate.js";
import { amdsevOracle, measureAmdsev } from "../../helpers/amdsev-releases.js";
import { endorseRelease, foundEndorsements, releaseTrust, type EndorsedRelease } from "../../helpers/release-endorsed.js";
import { buildReport, milanTcb, testPki, type TestPki, type TestVek } from "../../helpers/snp-pki.js";
import { tempDir } from "../../helpers/tlog.js";

/**
 * Stack 1 end to end with a firmware that has a kernel-hashes table: the AmdSevX64 OVMF built from
 * Debian's edk2 source, the real Debian kernel and initrd, and MEASUREMENT values printed by
 * sev-snp-measure (amdsev-visible.tsv, never reftrail's own output). Two releases are endorsed
 * and logged: 2026.11.0 boots "… ro quiet", 2026.12.0 the same kernel with "… rw quiet".
 */

/** The digest sev-snp-measure printed for the row whose arguments contain every fragment. */
const oracle = (...fragments: string[]) => Buffer.from(amdsevOracle(...fragments), "hex");

const at = BigInt(Date.now() + 86_400_000) * 1_000_000n;
let home: string;
const releases: Record<string, { values: ReferenceValues; endorsed: EndorsedRelease }> = {};
let pki: TestPki;
let vek: TestVek;

beforeAll(() => {
  home = tempDir("evidence-amdsev");
  for (const [version, cmdline] of [["2026.11.0", "console=ttyS0 root=/dev/vda1 ro quiet"], ["2026.12.0", "console=ttyS0 root=/dev/vda1 rw quiet"]] as const) {
    const { path, values } = measureAmdsev(home, version, cmdline);
    releases[version] = { values, endorsed: endorseRelease(path, home, version) };
  }
  pki = testPki("Genoa");
  vek = pki.vek({ tcb: { bl: 7, tee: 0, snp: 14, ucode: 72 }, hwId: new Uint8Array(64).fill(3), productName: "Genoa" });
}, 240_000);

const pemCert = (text: string) => parseCertificate(new Uint8Array(Buffer.from(text.replace(/-----[A-Z ]+-----|\s+/g, ""), "base64")));

function verify(measurement: Uint8Array, policy: EvidencePolicy): SnpEvidenceVerdict {
  const tcb = milanTcb(7, 0, 14, 72);
  const bytes = buildReport({ version: 3, measurement, reportedTcb: tcb, currentTcb: tcb, chipId: new Uint8Array(64).fill(3), cpuid: [0x19, 0x11, 0x01] }, vek.privateKey);
  const ark = pemCert(pki.arkPem);
  const endorsements = Object.keys(releases).flatMap((v) => foundEndorsements(releases[v]!.endorsed.endorsements).map((f) => ({ ...f, source: `${v}/${f.source}` })));
  return verifySnpEvidence(
    { report: { report: parseReport(bytes), vek: parseCertificate(vek.certDer), ask: pemCert(pki.askPem), ark, trustedRoots: [ark] }, endorsements },
    { policy: EvidencePolicy.parse(policy), trust: releaseTrust(releases["2026.11.0"]!.endorsed, at) },
  );
}

/** The release's own policy, with every vCPU count allowed (the launch digest is recomputed, not looked up). */
function policyOf(version: string, vcpus = "1-512"): EvidencePolicy {
  const p = policyForRelease(releases[version]!.values);
  p.boot = p.boot.map((b) => ({ ...b, vcpus }));
  return p;
}

const status = (v: SnpEvidenceVerdict) => Object.fromEntries(v.components.map((c) => [c.component, [c.status, c.boundBy]]));

describe("verify evidence --format snp: AmdSev firmware with kernel hashes (every component bound)", () => {
  it("255 vCPUs, EPYC-v4, QEMU: firmware, kernel, initrd and command line all verified through the launch digest", () => {
    const v = verify(oracle("--vcpus 255 ", "EPYC-v4", "ro quiet"), policyOf("2026.11.0"));
    expect(v.failures).toEqual([]);
    expect(v.configuration).toEqual({ vmm: "QEMU", vcpus: 255, vcpuType: "EPYC-v4", vcpuSignature: "0x800f12", guestFeatures: "0x1", kernelHashes: true });
    expect(status(v)).toEqual({
      "ovmf-amdsev": ["VERIFIED", "launch digest (firmware pages and metadata)"],
      "linux-cloud": ["VERIFIED", "kernel-hashes table in the launch digest"],
      initrd: ["VERIFIED", "kernel-hashes table in the launch digest"],
      cmdline: ["VERIFIED", "kernel-hashes table in the launch digest (with its NUL)"],
    });
    // 255 is beyond the 1-64 the release published: recomputed, so no published digest to compare.
    expect(v.checks.find((c) => c.check === "LAUNCH_DIGEST_ENDORSED")?.status).toBe("skipped");
  });

  it("512 vCPUs on ec2 (guest features 0x1) verifies too", () => {
    const v = verify(oracle("--vcpus 512 ", "ec2", "ro quiet"), policyOf("2026.11.0"));
    expect(v.failures).toEqual([]);
    expect(v.configuration).toMatchObject({ vmm: "ec2", vcpus: 512, vcpuType: null, kernelHashes: true });
  });

  it("under the release's strict policy (1-64 vCPUs) 255 vCPUs fails and the diagnosis names the count", () => {
    const v = verify(oracle("--vcpus 255 ", "EPYC-v4", "ro quiet"), policyForRelease(releases["2026.11.0"]!.values));
    expect(v.verified).toBe(false);
    expect(v.diagnosis?.found?.differences).toEqual(["255 vCPUs, outside the policy's counts (1-64)"]);
    expect(v.components.every((c) => c.status === "NOT_RUN")).toBe(true);
  });

  it("a guest booted with the next release's command line: diagnosed as that release's endorsed cmdline", () => {
    const measurement = oracle("--vcpus 1 ", "EPYC-Rome", "0x21", "rw quiet");
    const v = verify(measurement, policyOf("2026.11.0"));
    expect(v.failures).toContain("MEASUREMENT");
    expect(v.diagnosis?.found?.kernel?.cmdline).toMatch(/^endorsement 2026\.12\.0\/cmdline/);
    expect(v.diagnosis?.found?.differences).toEqual([expect.stringMatching(/^command line .* from endorsement 2026\.12\.0\/cmdline.*not one the policy accepts$/)]);
    expect(v.diagnosis?.found?.configuration).toMatchObject({ vmm: "QEMU", vcpus: 1, vcpuType: "EPYC-Rome", guestFeatures: "0x21" });
    // And under 2026.12.0's own policy the same evidence verifies.
    expect(verify(measurement, policyOf("2026.12.0")).failures).toEqual([]);
  });

  it("a kernel booted without initrd or command line is no endorsed combination: the diagnosis says so", () => {
    const v = verify(oracle("--vcpus 4 ", "EPYC-Milan --kernel"), policyOf("2026.11.0"));
    expect(v.failures).toContain("MEASUREMENT");
    expect(v.diagnosis?.found).toBeUndefined();
    expect(v.diagnosis?.summary).toMatch(/no endorsed release and configuration reftrail can recompute/);
  });
});
