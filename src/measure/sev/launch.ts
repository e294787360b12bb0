import { incrementalDigest } from "../../util/digest.js";
import type { DigestsByVcpus, LaunchConfiguration } from "../config.js";
import { MeasureError } from "../errors.js";
import { supportsKernelHashesTable, type FirmwareImage, type FirmwareLayout } from "../firmware/ovmf.js";
import { sevHashesTable, type KernelHashes } from "../sev-hashes.js";
import { VMM_PROFILES, type VmsaConventions } from "../vmm.js";
import { checkVmsaLaunch, forEachVcpu, resetVmsaPages } from "../vmsa-pages.js";
import { resumedSha256, type ChainHash } from "./firmware-state.js";

/**
 * What an SEV or SEV-ES digest starts from: the firmware file, or (from reference values) its
 * layout and the SHA-256 chaining value after its bytes, which stands for the file.
 */
export type SevFirmware = FirmwareImage | (FirmwareLayout & { readonly sha256State: Uint8Array });

/** Rejects what an SEV launch could not measure, before any kernel is hashed. */
export function checkSevLaunch(firmware: FirmwareLayout, withKernel: boolean): void {
  if (withKernel && !supportsKernelHashesTable(firmware)) {
    throw new MeasureError(
      "HASH_TABLE_UNSUPPORTED",
      "a kernel was given but the OVMF does not support kernel/initrd/cmdline measurement (no SEV_HASH_TABLE_RV address)",
    );
  }
}

/** SEV-ES also needs what its VMSAs need. */
export function checkSevesLaunch(
  firmware: FirmwareLayout,
  configurations: readonly LaunchConfiguration[],
  vcpuCounts: readonly number[],
  withKernel: boolean,
): void {
  checkSevLaunch(firmware, withKernel);
  checkVmsaLaunch(firmware, configurations, vcpuCounts);
}

function firmwareAndTable(firmware: SevFirmware, kernelHashes: KernelHashes | undefined): ChainHash {
  const h: ChainHash = "bytes" in firmware ? incrementalDigest("sha256").update(firmware.bytes) : resumedSha256(firmware.sha256State, firmware.size);
  if (kernelHashes) h.update(sevHashesTable(kernelHashes));
  return h;
}

/** SEV: SHA-256 over the firmware and, with a kernel, the kernel-hashes table. */
export function sevLaunchDigest(firmware: SevFirmware, kernelHashes?: KernelHashes): Uint8Array {
  checkSevLaunch(firmware, kernelHashes !== undefined);
  return firmwareAndTable(firmware, kernelHashes).digest();
}

/** SEV-ES: SHA-256 over firmware, kernel-hashes table and one VMSA per vCPU (SEV_FEATURES 0). */
export function sevesLaunchDigests(
  firmware: SevFirmware,
  configurations: readonly LaunchConfiguration[],
  vcpuCounts: readonly number[],
  kernelHashes?: KernelHashes,
  conventions: VmsaConventions = {},
): DigestsByVcpus[] {
  checkSevesLaunch(firmware, configurations, vcpuCounts, kernelHashes !== undefined);
  const prefix = firmwareAndTable(firmware, kernelHashes);
  const cache = new Map<string, DigestsByVcpus>();
  return configurations.map((config) => {
    const signature = VMM_PROFILES[config.vmm].usesVcpuSignature ? config.vcpuSignature : undefined;
    const key = `${config.vmm}/${signature}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const h = prefix.copy();
    const digests = new Map<number, Uint8Array>();
    forEachVcpu(
      resetVmsaPages(firmware, config, 0n, conventions),
      vcpuCounts,
      (page) => h.update(page),
      (count) => digests.set(count, h.copy().digest()),
    );
    cache.set(key, digests);
    return digests;
  });
}
