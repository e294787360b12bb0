import type { LaunchConfiguration } from "./config.js";
import { MeasureError } from "./errors.js";
import type { LaunchMode } from "./launch.js";
import { VCPU_TYPES, VMM_TYPES, isVmmType, type FamilyModelStepping, type VmmType } from "../schema/launch-vocabulary.js";
import { cpuSignature, type SignatureConvention } from "./vcpu-types.js";
import { VMM_PROFILES } from "./vmm.js";

/** A configuration together with the vCPU type name it was requested by, for reporting. */
export interface NamedConfiguration extends LaunchConfiguration {
  readonly vcpuType: string | null;
}

/** How a vCPU was named: a QEMU model, or directly by signature (vcpuType null). */
export interface VcpuIdentity {
  readonly vcpuType: string | null;
  readonly vcpuSignature: number | undefined;
}

export function vmmTypes(names: readonly string[]): VmmType[] {
  return names.map((v) => {
    if (!isVmmType(v)) throw new MeasureError("UNSUPPORTED_VMM", `unknown VMM type '${v}' (choose from ${VMM_TYPES.join(", ")})`);
    return v;
  });
}

/** QEMU CPU model names (or `all`) to identities, under the chosen signature convention. */
export function identitiesFromTypes(names: readonly string[], convention: SignatureConvention): VcpuIdentity[] {
  const expanded = names.length === 1 && names[0] === "all" ? [...VCPU_TYPES.keys()] : names;
  return expanded.map((name) => {
    const fms = VCPU_TYPES.get(name);
    if (fms === undefined) throw new MeasureError("UNKNOWN_VCPU_TYPE", `invalid choice '${name}' (choose from ${[...VCPU_TYPES.keys()].join(", ")})`);
    return { vcpuType: name, vcpuSignature: cpuSignature(fms, convention) };
  });
}

export function identityFromFms(fms: FamilyModelStepping, convention: SignatureConvention): VcpuIdentity {
  return { vcpuType: null, vcpuSignature: cpuSignature(fms, convention) };
}

export const NO_IDENTITY: VcpuIdentity = { vcpuType: null, vcpuSignature: undefined };

/**
 * The vCPUs a manifest or policy entry names: QEMU models, then 0x-hex CPUID signatures; none
 * named is the one "no identity" that ec2 and gce use.
 */
export function identitiesOf(vcpuTypes: readonly string[] | undefined, vcpuSignatures: readonly string[] | undefined, convention: SignatureConvention): VcpuIdentity[] {
  const named = vcpuTypes ? identitiesFromTypes(vcpuTypes, convention) : [];
  const bySignature = (vcpuSignatures ?? []).map((s) => ({ vcpuType: null, vcpuSignature: Number(BigInt(s)) }));
  const all = [...named, ...bySignature];
  return all.length ? all : [NO_IDENTITY];
}

/**
 * The configurations a request stands for: every VMM × vCPU identity × guest-features value, where
 * ec2 and gce ignore the identity (listed once each) and only snp uses guest features.
 * `ignored` names the VMMs that were given an identity they do not use.
 */
export function expandConfigurations(
  mode: LaunchMode,
  vmms: readonly VmmType[],
  identities: readonly VcpuIdentity[],
  guestFeatures: readonly bigint[],
): { configurations: NamedConfiguration[]; ignored: VmmType[] } {
  const configurations: NamedConfiguration[] = [];
  const ignored: VmmType[] = [];
  const seen = new Set<string>();
  const features = mode === "snp" ? guestFeatures : [0n];
  for (const vmm of vmms) {
    const usesSignature = VMM_PROFILES[vmm].usesVcpuSignature;
    if (usesSignature && identities.some((id) => id.vcpuSignature === undefined)) {
      throw new MeasureError("VCPU_SIGNATURE_REQUIRED", `missing vCPU type, signature or family/model/stepping in guest mode '${mode}' (needed by VMM ${vmm})`);
    }
    if (!usesSignature && identities.some((id) => id.vcpuSignature !== undefined)) ignored.push(vmm);
    for (const id of usesSignature ? identities : [NO_IDENTITY]) {
      for (const gf of features) {
        const key = `${vmm}/${id.vcpuType}/${id.vcpuSignature}/${gf}`;
        if (seen.has(key)) continue;
        seen.add(key);
        configurations.push({ vmm, vcpuType: id.vcpuType, vcpuSignature: id.vcpuSignature, guestFeatures: gf });
      }
    }
  }
  return { configurations, ignored };
}
