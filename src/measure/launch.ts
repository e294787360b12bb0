import type { DigestsByVcpus, LaunchConfiguration, LaunchConventions } from "./config.js";
import type { FirmwareImage } from "./firmware/ovmf.js";
import { checkSevLaunch, checkSevesLaunch, sevLaunchDigest, sevesLaunchDigests } from "./sev/launch.js";
import type { KernelHashes } from "./sev-hashes.js";
import { checkSnpLaunch, snpFirmwareDigest, snpLaunchDigests } from "./snp/launch.js";
import { svsmLaunchDigests } from "./snp/svsm.js";
import { checkSnpMetadata } from "./snp/metadata-pages.js";
import { MeasureError } from "./errors.js";

export const LAUNCH_MODES = ["snp", "seves", "sev", "snp:ovmf-hash", "snp:svsm"] as const;
export type LaunchMode = (typeof LAUNCH_MODES)[number];

/** Modes whose digest depends on the vCPU count and configuration. */
export const PER_VCPU_MODES: readonly LaunchMode[] = ["snp", "seves", "snp:svsm"];

export interface LaunchInputs {
  readonly mode: LaunchMode;
  readonly firmware: FirmwareImage;
  /** snp:svsm: the SVSM image, already placed below the OVMF and its variable store. */
  readonly svsm?: FirmwareImage | undefined;
  /** snp: precomputed firmware digest (`--snp-ovmf-hash`). */
  readonly firmwareDigest?: Uint8Array | undefined;
  readonly kernelHashes?: KernelHashes | undefined;
  readonly configurations: readonly LaunchConfiguration[];
  readonly vcpuCounts: readonly number[];
  readonly conventions: LaunchConventions;
}

export type LaunchDigests = (
  | { readonly perVcpu: false; readonly digest: Uint8Array }
  | { readonly perVcpu: true; readonly digests: readonly DigestsByVcpus[] }
) & {
  /** snp and snp:ovmf-hash: the digest after the firmware pages, computed or precomputed. */
  readonly snpFirmwareDigest?: Uint8Array;
};

/** snp:svsm is defined for QEMU only, with a vCPU signature and no kernel. */
function checkSvsmConfigurations(inputs: Omit<LaunchInputs, "kernelHashes">, withKernel: boolean): void {
  if (withKernel) throw new MeasureError("SVSM_LAUNCH", "snp:svsm mode does not measure a kernel");
  if (inputs.svsm === undefined) throw new MeasureError("SVSM_LAUNCH", "snp:svsm mode needs an SVSM image");
  for (const c of inputs.configurations) {
    if (c.vmm !== "QEMU") throw new MeasureError("UNSUPPORTED_VMM", `snp:svsm mode is only defined for VMM QEMU, not ${c.vmm}`);
    if (c.vcpuSignature === undefined) throw new MeasureError("VCPU_SIGNATURE_REQUIRED", "snp:svsm mode needs a vCPU type, signature or family/model/stepping");
  }
}

/** Everything that would make `measureLaunch` fail, checked before any expensive hashing. */
export function checkLaunch(inputs: Omit<LaunchInputs, "kernelHashes">, withKernel: boolean): void {
  switch (inputs.mode) {
    case "snp":
      return checkSnpLaunch(inputs, inputs.configurations, inputs.vcpuCounts, withKernel);
    case "seves":
      return checkSevesLaunch(inputs.firmware, inputs.configurations, inputs.vcpuCounts, withKernel);
    case "sev":
      return checkSevLaunch(inputs.firmware, withKernel);
    case "snp:svsm":
      checkSvsmConfigurations(inputs, withKernel);
      return checkSnpMetadata(inputs.svsm!, false);
    case "snp:ovmf-hash":
      return;
  }
}

/**
 * Dispatches a launch measurement to the mode's algorithm, each of which checks its own inputs.
 * Pure: bytes and parameters in, digests out.
 */
export function measureLaunch(inputs: LaunchInputs): LaunchDigests {
  const { mode, firmware, configurations, vcpuCounts, kernelHashes, conventions } = inputs;
  switch (mode) {
    case "snp:ovmf-hash": {
      const digest = snpFirmwareDigest(firmware);
      return { perVcpu: false, digest, snpFirmwareDigest: digest };
    }
    case "sev":
      return { perVcpu: false, digest: sevLaunchDigest(firmware, kernelHashes) };
    case "seves":
      return { perVcpu: true, digests: sevesLaunchDigests(firmware, configurations, vcpuCounts, kernelHashes, conventions) };
    case "snp": {
      const snp = snpLaunchDigests({ firmware, firmwareDigest: inputs.firmwareDigest, kernelHashes, conventions }, configurations, vcpuCounts);
      return { perVcpu: true, digests: snp.digests, snpFirmwareDigest: snp.firmwareDigest };
    }
    case "snp:svsm": {
      checkSvsmConfigurations(inputs, kernelHashes !== undefined);
      const svsm = inputs.svsm!;
      const cache = new Map<number, DigestsByVcpus>();
      return {
        perVcpu: true,
        digests: configurations.map((c) => {
          const signature = c.vcpuSignature!;
          let digests = cache.get(signature);
          if (!digests) cache.set(signature, (digests = svsmLaunchDigests(firmware, svsm, signature, vcpuCounts, conventions.vmsaGpa)));
          return digests;
        }),
      };
    }
  }
}
