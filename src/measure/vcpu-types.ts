/**
 * vCPU identification for the VMSA: the reset value of RDX is CPUID Fn0000_0001 EAX (the "signature")
 * of the guest's CPU model. Names are QEMU's builtin_x86_defs models, as sev-snp-measure accepts them.
 */
export interface FamilyModelStepping {
  readonly family: number;
  readonly model: number;
  readonly stepping: number;
}

const EPYC: FamilyModelStepping = { family: 23, model: 1, stepping: 2 };
const ROME: FamilyModelStepping = { family: 23, model: 49, stepping: 0 };
const MILAN: FamilyModelStepping = { family: 25, model: 1, stepping: 1 };
const GENOA: FamilyModelStepping = { family: 25, model: 17, stepping: 0 };
const TURIN: FamilyModelStepping = { family: 26, model: 0, stepping: 0 };

export const VCPU_TYPES: ReadonlyMap<string, FamilyModelStepping> = new Map([
  ["EPYC", EPYC],
  ["EPYC-v1", EPYC],
  ["EPYC-v2", EPYC],
  ["EPYC-IBPB", EPYC],
  ["EPYC-v3", EPYC],
  ["EPYC-v4", EPYC],
  ["EPYC-Rome", ROME],
  ["EPYC-Rome-v1", ROME],
  ["EPYC-Rome-v2", ROME],
  ["EPYC-Rome-v3", ROME],
  ["EPYC-Milan", MILAN],
  ["EPYC-Milan-v1", MILAN],
  ["EPYC-Milan-v2", MILAN],
  ["EPYC-Genoa", GENOA],
  ["EPYC-Genoa-v1", GENOA],
  ["EPYC-Turin", TURIN],
]);

/** How family/model/stepping become a signature; the peers disagree (launch-digest spec §10). */
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
