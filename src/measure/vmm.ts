import type { VmmType } from "../schema/launch-vocabulary.js";
import { PageType } from "./snp/page-info.js";
import { PAT_DEFAULT, RESET_COMMON, dataSegment, type VmsaState } from "./snp/vmsa.js";

export const BSP_RESET_EIP = 0xfffffff0;

/** Where implementations of one VMM disagree, the convention to follow (sev-snp-measure by default). */
export interface VmsaConventions {
  /** EC2 before sev-snp-measure's 2026-04-28 change (and the virtee/sev crate): RDX = 0 instead of 0x600. */
  readonly ec2LegacyRdx?: boolean;
}

/** What a VMM does differently at launch: initial register state and how it presents metadata pages. */
export interface VmmProfile {
  readonly type: VmmType;
  /** QEMU puts the vCPU signature in RDX; ec2 and gce use a fixed value and ignore the vCPU type. */
  readonly usesVcpuSignature: boolean;
  /** Page type for SNP_SEC_MEM sections: GCE leaves them unmeasured, the others pre-zero them. */
  readonly secMemPageType: PageType;
  /** EC2 measures the CPUID pages after every other metadata section. */
  readonly cpuidPagesLast: boolean;
  resetVmsa(eip: number, vcpuSignature: number, sevFeatures: bigint, conventions: VmsaConventions): VmsaState;
}

function resetState(
  eip: number,
  attribs: { cs: number; ss: number; tr: number },
  regs: { rdx: number; gPat: bigint; mxcsr: number; x87Fcw: number; sevFeatures: bigint },
): VmsaState {
  return {
    ...RESET_COMMON,
    es: dataSegment(0x93),
    cs: { selector: 0xf000, attrib: attribs.cs, limit: 0xffff, base: (eip & 0xffff0000) >>> 0 },
    ss: dataSegment(attribs.ss),
    ds: dataSegment(0x93),
    fs: dataSegment(0x93),
    gs: dataSegment(0x93),
    tr: dataSegment(attribs.tr),
    rip: eip & 0xffff,
    ...regs,
  };
}

export const VMM_PROFILES: Readonly<Record<VmmType, VmmProfile>> = {
  QEMU: {
    type: "QEMU",
    usesVcpuSignature: true,
    secMemPageType: PageType.ZERO,
    cpuidPagesLast: false,
    resetVmsa: (eip, vcpuSignature, sevFeatures) =>
      resetState(eip, { cs: 0x9b, ss: 0x93, tr: 0x8b }, { rdx: vcpuSignature, gPat: PAT_DEFAULT, mxcsr: 0x1f80, x87Fcw: 0x37f, sevFeatures }),
  },
  ec2: {
    type: "ec2",
    usesVcpuSignature: false,
    secMemPageType: PageType.ZERO,
    cpuidPagesLast: true,
    resetVmsa: (eip, _sig, sevFeatures, conventions) =>
      resetState(
        eip,
        { cs: eip === BSP_RESET_EIP ? 0x9a : 0x9b, ss: 0x92, tr: 0x83 },
        { rdx: conventions.ec2LegacyRdx ? 0 : 0x600, gPat: PAT_DEFAULT, mxcsr: 0, x87Fcw: 0, sevFeatures },
      ),
  },
  gce: {
    type: "gce",
    usesVcpuSignature: false,
    secMemPageType: PageType.UNMEASURED,
    cpuidPagesLast: false,
    resetVmsa: (eip, _sig, sevFeatures) =>
      resetState(eip, { cs: 0x9b, ss: 0x93, tr: 0x8b }, { rdx: 0x600, gPat: 0x0007_0106n, mxcsr: 0, x87Fcw: 0, sevFeatures }),
  },
};
