import { firmwareFromValues } from "../../measure/compose.js";
import { snpLaunchDigests } from "../../measure/snp/launch.js";
import { isVmmType } from "../../schema/launch-vocabulary.js";
import type { FirmwareValues } from "../../schema/reference-values.js";
import { fromHex, toHex } from "../../util/bytes.js";
import { ReftrailError } from "../../util/errors.js";
import type { LaunchDigestRow } from "./model.js";

type Configuration = FirmwareValues["launchDigests"][number];
type PerVcpu = Extract<Configuration, { digests: unknown }>;

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

/** An SNP configuration's digests recomputed from the firmware's layout and the boot's kernel-hashes entries. */
function recomputed(values: FirmwareValues, c: PerVcpu): LaunchDigestRow[] {
  if (!isVmmType(c.vmmType)) return stated(c);
  const firmware = firmwareFromValues(values);
  const counts = Object.keys(c.digests).map(Number);
  const kernelHashes = c.boot === null ? undefined : { kernel: fromHex(c.boot.kernelSha256)!, initrd: fromHex(c.boot.initrdSha256)!, cmdline: fromHex(c.boot.cmdlineSha256)! };
  const { digests } = snpLaunchDigests(
    { firmware: firmware.layout, firmwareDigest: firmware.firmwareDigest, kernelHashes, conventions: { ec2LegacyRdx: c.conventions.ec2LegacyRdx, vmsaGpa: Number(BigInt(c.conventions.vmsaGpa)) } },
    [{ vmm: c.vmmType, vcpuSignature: c.vcpuSignature === null ? undefined : Number(BigInt(c.vcpuSignature)), guestFeatures: BigInt(c.guestFeatures ?? "0") }],
    counts,
  );
  return stated(c).map((row) => ({ ...row, digest: toHex(digests[0]!.get(row.vcpus!)!), origin: "recomputed" as const }));
}

/**
 * The launch digests a firmware endorsement stands for, one row per configuration and vCPU count.
 * SNP digests are recomputed from the endorsed values with src/measure (the firmware's layout and
 * page digest, the kernel-hashes entries): the index then says what those values produce, whatever
 * digest the statement states. SEV-ES and SEV digests need the firmware's pages, which values do not
 * carry: those are listed as endorsed. A configuration the engine refuses is listed as endorsed too.
 */
export function launchDigestRows(values: FirmwareValues): LaunchDigestRow[] {
  return values.launchDigests.flatMap((c) => {
    if (c.mode !== "snp") return stated(c);
    try {
      return recomputed(values, c);
    } catch (err) {
      if (err instanceof ReftrailError) return stated(c);
      throw err;
    }
  });
}
