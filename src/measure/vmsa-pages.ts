import { MeasureError } from "./errors.js";
import type { FirmwareLayout } from "./firmware/ovmf.js";
import type { LaunchConfiguration } from "./config.js";
import { vmsaPage } from "./snp/vmsa.js";
import { BSP_RESET_EIP, VMM_PROFILES, type VmsaConventions } from "./vmm.js";

/** The two distinct VMSA pages of a launch: the BSP's, and the one every AP shares. */
export interface VmsaPages {
  readonly bsp: Uint8Array;
  /** Undefined when the firmware's AP reset address is 0: only one vCPU can start. */
  readonly ap: Uint8Array | undefined;
}

export function noResetBlock(): MeasureError {
  return new MeasureError(
    "NO_RESET_BLOCK",
    "no SEV_ES_RESET_BLOCK entry in the OVMF footer table, so the AP reset address is unknown",
  );
}

/** Reset-state VMSAs of an OVMF launch under the configuration's VMM. */
export function resetVmsaPages(
  firmware: FirmwareLayout,
  config: LaunchConfiguration,
  sevFeatures: bigint,
  conventions: VmsaConventions,
): VmsaPages {
  const vmm = VMM_PROFILES[config.vmm];
  if (firmware.sevEsResetEip === undefined) throw noResetBlock();
  if (vmm.usesVcpuSignature && config.vcpuSignature === undefined) {
    throw new MeasureError("VCPU_SIGNATURE_REQUIRED", `VMM ${config.vmm} needs a vCPU type, signature or family/model/stepping`);
  }
  const page = (eip: number) => vmsaPage(vmm.resetVmsa(eip, config.vcpuSignature ?? 0, sevFeatures, conventions));
  return { bsp: page(BSP_RESET_EIP), ap: firmware.sevEsResetEip === 0 ? undefined : page(firmware.sevEsResetEip) };
}

/** What `resetVmsaPages` and `forEachVcpu` would reject, checked before any hashing. */
export function checkVmsaLaunch(firmware: FirmwareLayout, configurations: readonly LaunchConfiguration[], counts: readonly number[]): void {
  if (firmware.sevEsResetEip === undefined) throw noResetBlock();
  for (const config of configurations) {
    if (VMM_PROFILES[config.vmm].usesVcpuSignature && config.vcpuSignature === undefined) {
      throw new MeasureError("VCPU_SIGNATURE_REQUIRED", `VMM ${config.vmm} needs a vCPU type, signature or family/model/stepping`);
    }
  }
  checkVcpuCounts(counts, { ap: firmware.sevEsResetEip === 0 ? undefined : new Uint8Array(0) });
}

export function checkVcpuCounts(counts: readonly number[], pages: Pick<VmsaPages, "ap">): void {
  for (const n of counts) {
    if (!Number.isSafeInteger(n) || n < 0) throw new MeasureError("VCPU_COUNT", `vCPU count ${n} is not a non-negative integer`);
  }
  if (pages.ap === undefined && counts.some((n) => n > 1)) {
    throw new MeasureError("AP_RESET_EIP_ZERO", "the firmware's AP reset address is 0, so only a single vCPU can be launched");
  }
}

/**
 * Walks the VMSAs of 1..max vCPUs once, calling `step` with each page and `record` after every
 * requested count: the launch of n+1 vCPUs continues the launch of n.
 */
export function forEachVcpu(
  pages: VmsaPages,
  counts: readonly number[],
  step: (page: Uint8Array, index: number) => void,
  record: (count: number) => void,
): void {
  checkVcpuCounts(counts, pages);
  const wanted = new Set(counts);
  const max = Math.max(0, ...counts);
  if (wanted.has(0)) record(0);
  for (let n = 1; n <= max; n++) {
    step(n === 1 ? pages.bsp : pages.ap!, n - 1);
    if (wanted.has(n)) record(n);
  }
}
