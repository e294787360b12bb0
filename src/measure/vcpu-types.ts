import type { FamilyModelStepping } from "../schema/launch-vocabulary.js";

/**
 * vCPU identification for the VMSA: the reset value of RDX is CPUID Fn0000_0001 EAX (the "signature")
 * of the guest's CPU model (the models by name: VCPU_TYPES in schema/launch-vocabulary.ts). How
 * family/model/stepping become a signature: the peers disagree (launch-digest spec §10).
 */
export type SignatureConvention = "cpuid" | "oak";

/**
 * AMD CPUID specification #25481, Fn0000_0001_EAX: the extended model nibble is always included
 * (sev-snp-measure, QEMU). Oak's stage0 tooling includes it only for families 6 and 15 ("oak").
 */
export function cpuSignature(fms: FamilyModelStepping, convention: SignatureConvention = "cpuid"): number {
  const { family, model, stepping } = fms;
  const familyLow = Math.min(family, 0xf);
  const familyHigh = family > 0xf ? (family - 0xf) & 0xff : 0;
  const withExtendedModel = convention === "cpuid" || family === 6 || family === 15;
  const modelHigh = withExtendedModel ? (model >> 4) & 0xf : 0;
  return ((familyHigh << 20) | (modelHigh << 16) | (familyLow << 8) | ((model & 0xf) << 4) | (stepping & 0xf)) >>> 0;
}
