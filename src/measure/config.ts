import type { VmmType } from "../schema/launch-vocabulary.js";
import type { VmsaConventions } from "./vmm.js";

/** One guest configuration whose launch digest a release publishes for every vCPU count. */
export interface LaunchConfiguration {
  readonly vmm: VmmType;
  /** CPUID signature; required by QEMU, ignored by ec2 and gce. */
  readonly vcpuSignature: number | undefined;
  /** VMSA SEV_FEATURES (SNP only; SEV-ES always launches with 0). */
  readonly guestFeatures: bigint;
}

export interface LaunchConventions extends VmsaConventions {
  /** GPA recorded for VMSA pages (default KVM's 0xFFFFFFFFF000). */
  readonly vmsaGpa?: number;
}

/** vCPU count → launch digest, in ascending vCPU order. */
export type DigestsByVcpus = ReadonlyMap<number, Uint8Array>;
