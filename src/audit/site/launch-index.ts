import { firmwareFromValues } from "../../measure/compose.js";
import { sevLaunchDigest, sevesLaunchDigests } from "../../measure/sev/launch.js";
import { snpLaunchDigests } from "../../measure/snp/launch.js";
import { isVmmType } from "../../schema/launch-vocabulary.js";
import type { FirmwareValues } from "../../schema/reference-values.js";
import { fromHex, toHex } from "../../util/bytes.js";
import { ReftrailError } from "../../util/errors.js";
import type { LaunchDigestRow } from "./model.js";

type Configuration = FirmwareValues["launchDigests"][number];

function stated(c: Configuration): LaunchDigestRow[] {
  if (c.mode === "sev") return [{ digest: c.digest, mode: "sev", vmm: null, vcpus: null, vcpuType: null, vcpuSignature: null, guestFeatures: null, kernel: c.boot?.kernel ?? null, origin: "endorsed" }];
  return Object.entries(c.digests).map(([vcpus, digest]) => ({
    digest,
    mode: c.mode,
    vmm: c.vmmType,
    vcpus: Number(vcpus),
    vcpuType: c.vcpuType,
    vcpuSignature: c.vcpuSignature,
    guestFeatures: c.guestFeatures,
    kernel: c.boot?.kernel ?? null,
    origin: "endorsed" as const,
  }));
}

const kernelHashesOf = (boot: Configuration["boot"]) => (boot === null ? undefined : { kernel: fromHex(boot.kernelSha256)!, initrd: fromHex(boot.initrdSha256)!, cmdline: fromHex(boot.cmdlineSha256)! });

/** What one configuration's digests are recomputed as: by vCPU count (SEV: one digest, any count). */
function recomputedDigests(firmware: ReturnType<typeof firmwareFromValues>, c: Configuration): ReadonlyMap<number | null, Uint8Array> | undefined {
  const kernelHashes = kernelHashesOf(c.boot);
  const conventions = { ec2LegacyRdx: c.conventions.ec2LegacyRdx, vmsaGpa: Number(BigInt(c.conventions.vmsaGpa)) };
  if (c.mode !== "snp" && firmware.sevFirmwareState === undefined) return undefined;
  const sev = { ...firmware.layout, sha256State: firmware.sevFirmwareState! };
  if (c.mode === "sev") return new Map([[null, sevLaunchDigest(sev, kernelHashes)]]);
  if (!isVmmType(c.vmmType)) return undefined;
  const configuration = { vmm: c.vmmType, vcpuSignature: c.vcpuSignature === null ? undefined : Number(BigInt(c.vcpuSignature)), guestFeatures: BigInt(c.guestFeatures ?? "0") };
  const counts = Object.keys(c.digests).map(Number);
  if (c.mode === "seves") return sevesLaunchDigests(sev, [configuration], counts, kernelHashes, conventions)[0]!;
  return snpLaunchDigests({ firmware: firmware.layout, firmwareDigest: firmware.firmwareDigest, kernelHashes, conventions }, [configuration], counts).digests[0]!;
}

/**
 * The launch digests a firmware endorsement stands for, one row per configuration and vCPU count,
 * recomputed from the endorsed values with src/measure: SNP from the firmware's layout and page
 * digest, SEV-ES and SEV from the SHA-256 state after the firmware that the values record
 * (layout.sevFirmwareState), each with the boot's kernel-hashes entries. The index then says what
 * those values produce, whatever digest the statement states. Values made before the state was
 * recorded, and configurations the engine refuses, are listed as endorsed.
 */
export function launchDigestRows(values: FirmwareValues): LaunchDigestRow[] {
  // The firmware read from its values once, for all its configurations.
  let firmware: ReturnType<typeof firmwareFromValues> | undefined;
  try {
    firmware = firmwareFromValues(values);
  } catch (err) {
    if (!(err instanceof ReftrailError)) throw err;
  }
  return values.launchDigests.flatMap((c) => {
    let digests: ReadonlyMap<number | null, Uint8Array> | undefined;
    try {
      digests = firmware === undefined ? undefined : recomputedDigests(firmware, c);
    } catch (err) {
      if (!(err instanceof ReftrailError)) throw err;
    }
    if (digests === undefined) return stated(c);
    return stated(c).map((row) => ({ ...row, digest: toHex(digests.get(row.vcpus)!), origin: "recomputed" as const }));
  });
}
