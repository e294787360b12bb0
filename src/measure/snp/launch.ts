import { sha384 } from "../../util/digest.js";
import type { DigestsByVcpus, LaunchConfiguration, LaunchConventions } from "../config.js";
import type { FirmwareImage, FirmwareLayout } from "../firmware/ovmf.js";
import type { KernelHashes } from "../sev-hashes.js";
import type { VmmType } from "../../schema/launch-vocabulary.js";
import { VMM_PROFILES } from "../vmm.js";
import { checkVmsaLaunch, forEachVcpu, resetVmsaPages, type VmsaPages } from "../vmsa-pages.js";
import { checkSnpMetadata, metadataPages } from "./metadata-pages.js";
import { DEFAULT_VMSA_GPA, LaunchDigestChain, PageType } from "./page-info.js";

/** SNP: the launch digest after the firmware's own pages (sev-snp-measure's "OVMF hash"). */
export function snpFirmwareDigest(firmware: FirmwareImage): Uint8Array {
  return LaunchDigestChain.start().normalPages(firmware.gpa, firmware.bytes).digest;
}

function firmwareBytes(firmware: FirmwareLayout | FirmwareImage): FirmwareImage {
  if (!("bytes" in firmware)) throw new TypeError("a firmware layout without bytes needs its precomputed digest");
  return firmware;
}

/** Extends `chain` with one VMSA page per vCPU, recording the digest after each requested count. */
export function snpVmsaDigests(
  chain: LaunchDigestChain,
  pages: VmsaPages,
  counts: readonly number[],
  vmsaGpa: number = DEFAULT_VMSA_GPA,
): DigestsByVcpus {
  const contents = { bsp: sha384(pages.bsp), ap: pages.ap && sha384(pages.ap) };
  const result = new Map<number, Uint8Array>();
  let current = chain;
  forEachVcpu(
    pages,
    counts,
    (_page, index) => (current = current.page(PageType.VMSA, vmsaGpa, index === 0 ? contents.bsp : contents.ap!)),
    (count) => result.set(count, current.digest),
  );
  return result;
}

/**
 * The firmware as bytes (its pages are hashed), or as a layout with its precomputed digest: the
 * tables are then all that is read (`--snp-ovmf-hash`, or composition from reference values).
 */
export type SnpLaunchInputs = (
  | { readonly firmware: FirmwareImage; readonly firmwareDigest?: Uint8Array | undefined }
  | { readonly firmware: FirmwareLayout; readonly firmwareDigest: Uint8Array }
) & {
  readonly kernelHashes?: KernelHashes | undefined;
  readonly conventions?: LaunchConventions | undefined;
};

/** Rejects what an SNP launch could not measure, before any page (or kernel) is hashed. */
export function checkSnpLaunch(
  inputs: Omit<SnpLaunchInputs, "kernelHashes">,
  configurations: readonly LaunchConfiguration[],
  vcpuCounts: readonly number[],
  withKernel: boolean,
): void {
  checkSnpMetadata(inputs.firmware, withKernel);
  checkVmsaLaunch(inputs.firmware, configurations, vcpuCounts);
  if (inputs.firmwareDigest !== undefined) LaunchDigestChain.start(inputs.firmwareDigest);
}

/**
 * SEV-SNP launch digests for several configurations and vCPU counts. Work is shared: the firmware
 * pages are hashed once, the metadata pages once per VMM, and configurations whose VMSAs are
 * identical (ec2 and gce ignore the vCPU type) are computed once.
 */
export function snpLaunchDigests(
  inputs: SnpLaunchInputs,
  configurations: readonly LaunchConfiguration[],
  vcpuCounts: readonly number[],
): { readonly firmwareDigest: Uint8Array; readonly digests: DigestsByVcpus[] } {
  const { firmware, kernelHashes } = inputs;
  const conventions = inputs.conventions ?? {};
  checkSnpLaunch(inputs, configurations, vcpuCounts, kernelHashes !== undefined);
  const firmwareDigest = inputs.firmwareDigest ?? snpFirmwareDigest(firmwareBytes(firmware));
  const firmwareChain = LaunchDigestChain.start(firmwareDigest);
  const byVmm = new Map<VmmType, LaunchDigestChain>();
  const byVmsa = new Map<string, DigestsByVcpus>();
  const digests = configurations.map((config) => {
    const vmm = VMM_PROFILES[config.vmm];
    const signature = vmm.usesVcpuSignature ? config.vcpuSignature : undefined;
    const key = `${config.vmm}/${signature}/${config.guestFeatures}`;
    const cached = byVmsa.get(key);
    if (cached) return cached;
    let base = byVmm.get(config.vmm);
    if (base === undefined) {
      base = metadataPages(firmwareChain, firmware, vmm, kernelHashes);
      byVmm.set(config.vmm, base);
    }
    const pages = resetVmsaPages(firmware, config, config.guestFeatures, conventions);
    const digests = snpVmsaDigests(base, pages, vcpuCounts, conventions.vmsaGpa);
    byVmsa.set(key, digests);
    return digests;
  });
  return { firmwareDigest, digests };
}
