import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sevFirmwareState } from "../../../src/measure/sev/firmware-state.js";
import { parseDocument } from "../../../src/schema/parse.js";
import { ReferenceValues, type FirmwareValues } from "../../../src/schema/reference-values.js";
import { toHex } from "../../../src/util/bytes.js";
import { wideEntries } from "../../../src/verify/evidence/diagnose.js";
import { searchLaunchDigest, searchSnpLaunchDigest, type BootCandidate } from "../../../src/verify/evidence/launch-match.js";
import { ROOT, readFixture } from "../../helpers/fixtures.js";
import { readOracleRows } from "../../helpers/tsv.js";

/**
 * The shared search with a 32-byte digest: SEV and SEV-ES recomputed from the firmware's recorded
 * SHA-256 state, against sev-snp-measure's rows for Debian's OVMF.fd (oracle-visible.tsv). Without
 * the recorded state (reference values made before reftrail recorded it) the boot is unmeasurable.
 */
const VALUES = join(ROOT, "reference-values/2026.11.0.json");
const firmware = parseDocument(ReferenceValues, readFileSync(VALUES, "utf8"), VALUES).components.find((c): c is FirmwareValues => c.kind === "firmware")!;
const { sevFirmwareState: _recorded, ...layout } = firmware.layout;
const withoutState: FirmwareValues = { ...firmware, layout };
const withState: FirmwareValues = { ...firmware, layout: { ...layout, sevFirmwareState: toHex(sevFirmwareState(readFixture("firmware/OVMF.fd"))) } };
const outcome = { source: "test", component: firmware.name, accepted: true };
const candidate = (values: FirmwareValues): BootCandidate => ({ firmware: { component: firmware.name, values, origin: "test", endorsement: outcome } });
const entries = wideEntries({ version: 1, components: {}, boot: [{ vcpus: "1", vmmTypes: ["QEMU"], vcpuTypes: ["EPYC"], guestFeatures: ["0x1"], kernelHashes: false, conventions: { ec2LegacyRdx: false, signatureConvention: "cpuid" } }] });
const oracle = (command: string) => Buffer.from(readOracleRows("launch-digests/oracle-visible.tsv").find((r) => `sev-snp-measure ${r.args.join(" ")}` === command)!.expected, "hex");

describe("searchLaunchDigest with an SEV or SEV-ES digest", () => {
  it("SEV-ES, 4 vCPUs on gce: recomputed from the recorded state", () => {
    const result = searchLaunchDigest(oracle("sev-snp-measure --mode seves --ovmf firmware/OVMF.fd --vcpus 4 --vmm-type gce"), [candidate(withState)], entries, null);
    expect(result.match?.configuration).toEqual({ mode: "seves", vmm: "gce", vcpus: 4, vcpuType: null, vcpuSignature: null, kernelHashes: false });
  });

  it("SEV-ES, 2 vCPUs EPYC-Genoa on QEMU, and SEV: recomputed", () => {
    const genoa = searchLaunchDigest(oracle("sev-snp-measure --mode seves --ovmf firmware/OVMF.fd --vcpus 2 --vcpu-type EPYC-Genoa"), [candidate(withState)], entries, null);
    expect(genoa.match?.configuration).toMatchObject({ mode: "seves", vmm: "QEMU", vcpus: 2, vcpuType: expect.stringMatching(/^EPYC-Genoa/) });
    const sev = searchLaunchDigest(oracle("sev-snp-measure --mode sev --ovmf firmware/OVMF.fd --vcpus 4 --vcpu-type EPYC-v4"), [candidate(withState)], entries, null);
    expect(sev.match?.configuration).toEqual({ mode: "sev", vmm: null, vcpus: null, vcpuType: null, vcpuSignature: null, kernelHashes: false });
  });

  it("without the recorded state: unmeasurable, saying why, nothing found", () => {
    const result = searchLaunchDigest(oracle("sev-snp-measure --mode seves --ovmf firmware/OVMF.fd --vcpus 4 --vmm-type gce"), [candidate(withoutState)], entries, null);
    expect(result.match).toBeUndefined();
    expect(result.unmeasurable[0]?.reason).toMatch(/record no SHA-256 state after the firmware/);
  });

  it("a tampered state finds nothing", () => {
    const state = withState.layout.sevFirmwareState!;
    const tampered: FirmwareValues = { ...withState, layout: { ...withState.layout, sevFirmwareState: `${state.slice(0, -1)}${state.endsWith("0") ? "1" : "0"}` } };
    expect(searchLaunchDigest(oracle("sev-snp-measure --mode seves --ovmf firmware/OVMF.fd --vcpus 4 --vmm-type gce"), [candidate(tampered)], entries, null).match).toBeUndefined();
  });

  it("the SNP form refuses a 32-byte digest", () => {
    expect(() => searchSnpLaunchDigest(new Uint8Array(32), [candidate(withState)], entries, null)).toThrow(/48 bytes, not 32/);
  });
});
