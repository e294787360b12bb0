import { sha384 } from "../../util/digest.js";
import type { DigestsByVcpus, LaunchConfiguration, LaunchConventions } from "../config.js";
import type { FirmwareImage, FirmwareLayout } from "../firmware/ovmf.js";
import type { KernelHashes } from "../sev-hashes.js";
import type { VmmType } from "../../schema/launch-vocabulary.js";
import { VMM_PROFILES } from "../vmm.js";
import { loadNativeModule } from "../../util/native.js";
import { checkVcpuCounts, checkVmsaLaunch, forEachVcpu, resetVmsaPages, type VmsaPages } from "../vmsa-pages.js";
import { checkSnpMetadata, metadataPages } from "./metadata-pages.js";
import { DEFAULT_VMSA_GPA, LAUNCH_DIGEST_SIZE, LaunchDigestChain, PageType } from "./page-info.js";

/** SNP: the launch digest after the firmware's own pages (sev-snp-measure's "OVMF hash"). */
export function snpFirmwareDigest(firmware: FirmwareImage): Uint8Array {
  return LaunchDigestChain.start().normalPages(firmware.gpa, firmware.bytes).digest;
}

function firmwareBytes(firmware: FirmwareLayout | FirmwareImage): FirmwareImage {
  if (!("bytes" in firmware)) throw new TypeError("a firmware layout without bytes needs its precomputed digest");
  return firmware;
}

/** build/native/launch-chain.node (native/launch-chain.c): the same VMSA chain through OpenSSL. */
interface LaunchChainModule {
  vmsaChain(seed: Uint8Array, bsp: Uint8Array, ap: Uint8Array, gpa: number, count: number): ArrayBuffer;
}
const native = loadNativeModule<LaunchChainModule>("launch-chain");

/** Whether VMSA chains run through the native module (fast) or node:crypto one call per page. */
export const VMSA_CHAIN_BACKEND: "openssl" | "javascript" = native ? "openssl" : "javascript";

/** Extends `chain` with one VMSA page per vCPU, recording the digest after each requested count. */
export function snpVmsaDigests(
  chain: LaunchDigestChain,
  pages: VmsaPages,
  counts: readonly number[],
  vmsaGpa: number = DEFAULT_VMSA_GPA,
): DigestsByVcpus {
  const max = Math.max(0, ...counts);
  if (native === undefined || max === 0) return snpVmsaDigestsJs(chain, pages, counts, vmsaGpa);
  checkVcpuCounts(counts, pages);
  const bsp = sha384(pages.bsp);
  const all = new Uint8Array(native.vmsaChain(chain.digest, bsp, pages.ap ? sha384(pages.ap) : bsp, vmsaGpa, max));
  const result = new Map<number, Uint8Array>();
  for (const n of [...new Set(counts)].sort((a, b) => a - b)) result.set(n, n === 0 ? chain.digest : all.subarray((n - 1) * LAUNCH_DIGEST_SIZE, n * LAUNCH_DIGEST_SIZE));
  return result;
}

/** The same in JavaScript, one node:crypto call per page (where the native module is not built, and to test it). */
export function snpVmsaDigestsJs(
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
