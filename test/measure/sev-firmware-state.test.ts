import { describe, expect, it } from "vitest";
import { expandConfigurations, identitiesOf } from "../../src/measure/configurations.js";
import { parseFirmware, type FirmwareLayout } from "../../src/measure/firmware/ovmf.js";
import { sevFirmwareState } from "../../src/measure/sev/firmware-state.js";
import { sevLaunchDigest, sevesLaunchDigests } from "../../src/measure/sev/launch.js";
import { EMPTY_SHA256, cmdlineHash } from "../../src/measure/sev-hashes.js";
import { isVmmType } from "../../src/schema/launch-vocabulary.js";
import { fromHex, toHex } from "../../src/util/bytes.js";
import { readFixture } from "../helpers/fixtures.js";
import { readOracleRows } from "../helpers/tsv.js";

/**
 * SEV and SEV-ES digests continued from the firmware's SHA-256 chaining value (what a reference-values
 * document records in place of the file) against every sev and seves row sev-snp-measure printed in
 * the three oracle tables: the expected values are the oracle's, never reftrail's.
 */
const rows = ["launch-digests/oracle-visible.tsv", "launch-digests/upstream-test-vectors.tsv", "launch-digests/amdsev-visible.tsv"]
  .flatMap(readOracleRows)
  .filter((r) => ["sev", "seves"].includes(r.option("--mode")!) && r.option("--vcpu-sig") === undefined && r.option("--vcpu-family") === undefined);

/** The file replaced by its layout and chaining value: no byte of it reaches the digest code. */
function fromState(file: string): FirmwareLayout & { sha256State: Uint8Array } {
  const { bytes: _bytes, footerEntries: _footer, ...layout } = parseFirmware(readFixture(file));
  return { ...layout, sha256State: sevFirmwareState(readFixture(file)) };
}

describe("SEV and SEV-ES digests from the firmware's SHA-256 chaining value", () => {
  it("covers the sev and seves rows, with and without a kernel", () => {
    expect(rows.length).toBeGreaterThanOrEqual(12);
    expect(rows.filter((r) => r.option("--kernel") !== undefined).length).toBeGreaterThanOrEqual(5);
  });

  rows.forEach((row) => {
    it(row.args.join(" "), () => {
      const firmware = fromState(row.option("--ovmf")!);
      const kernel = row.fileSha256("kernel");
      const append = row.columns["append"] ?? row.option("--append");
      const kernelHashes =
        kernel === undefined
          ? undefined
          : { kernel: fromHex(kernel)!, initrd: fromHex(row.fileSha256("initrd") ?? toHex(EMPTY_SHA256))!, cmdline: cmdlineHash(append === "-" ? undefined : append) };
      if (row.option("--mode") === "sev") {
        expect(toHex(sevLaunchDigest(firmware, kernelHashes))).toBe(row.expected);
        return;
      }
      const vmm = (row.option("--vmm-type") ?? "QEMU").toString();
      if (!isVmmType(vmm)) throw new Error(`unknown VMM ${vmm}`);
      const vcpuType = row.option("--vcpu-type");
      const { configurations } = expandConfigurations("seves", [vmm], identitiesOf(vcpuType && vmm === "QEMU" ? [vcpuType] : undefined, undefined, "cpuid"), [0n]);
      const vcpus = Number(row.option("--vcpus"));
      expect(toHex(sevesLaunchDigests(firmware, configurations, [vcpus], kernelHashes)[0]!.get(vcpus)!)).toBe(row.expected);
    });
  });

  it("a chaining value stands only for whole 64-byte blocks of 32 bytes", () => {
    expect(() => sevFirmwareState(new Uint8Array(100))).toThrow(/whole number of 64-byte/);
    expect(() => sevFirmwareState(new Uint8Array(0))).toThrow(/whole number of 64-byte/);
    const layout = fromState("firmware/ovmf_AmdSev_suffix.bin");
    expect(() => sevLaunchDigest({ ...layout, sha256State: new Uint8Array(31) })).toThrow(/32 bytes, not 31/);
    expect(() => sevLaunchDigest({ ...layout, size: 100 })).toThrow(/whole 64-byte blocks/);
  });

  it("a changed chaining value changes the digest (the state is used, not ignored)", () => {
    const firmware = fromState("firmware/ovmf_AmdSev_suffix.bin");
    const tampered = firmware.sha256State.slice();
    tampered[31]! ^= 1;
    expect(toHex(sevLaunchDigest({ ...firmware, sha256State: tampered }))).not.toBe(toHex(sevLaunchDigest(firmware)));
  });
});
