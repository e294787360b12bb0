import { writeU16, writeU32, writeU64 } from "../../util/bytes.js";
import { PAGE_SIZE } from "../firmware/ovmf.js";

/** struct vmcb_seg: selector, attributes, limit, base. */
export interface Segment {
  readonly selector: number;
  readonly attrib: number;
  readonly limit: number;
  readonly base: number;
}

/** The registers of the initial VMSA that hypervisors set to non-zero values. */
export interface VmsaState {
  readonly es: Segment;
  readonly cs: Segment;
  readonly ss: Segment;
  readonly ds: Segment;
  readonly fs: Segment;
  readonly gs: Segment;
  readonly gdtr: Segment;
  readonly ldtr: Segment;
  readonly idtr: Segment;
  readonly tr: Segment;
  readonly efer: number;
  readonly cr4: number;
  readonly cr0: number;
  readonly dr7: number;
  readonly dr6: number;
  readonly rflags: number;
  readonly rip: number;
  readonly gPat: bigint;
  readonly rdx: number;
  readonly sevFeatures: bigint;
  readonly xcr0: number;
  readonly mxcsr: number;
  readonly x87Fcw: number;
}

/** Byte offsets in struct sev_es_save_area (Linux arch/x86/include/asm/svm.h, AMD APM vol. 2 table B-4). */
const SEGMENT_OFFSETS = {
  es: 0x00, cs: 0x10, ss: 0x20, ds: 0x30, fs: 0x40, gs: 0x50, gdtr: 0x60, ldtr: 0x70, idtr: 0x80, tr: 0x90,
} as const;
const OFFSET = {
  efer: 0xd0,
  cr4: 0x148,
  cr0: 0x158,
  dr7: 0x160,
  dr6: 0x168,
  rflags: 0x170,
  rip: 0x178,
  gPat: 0x268,
  rdx: 0x310,
  sevFeatures: 0x3b0,
  xcr0: 0x3e8,
  mxcsr: 0x408,
  x87Fcw: 0x410,
} as const;

/** Serialises a VMSA page (4096 bytes, every field not in `state` zero). */
export function vmsaPage(state: VmsaState): Uint8Array {
  const page = new Uint8Array(PAGE_SIZE);
  for (const [name, off] of Object.entries(SEGMENT_OFFSETS) as [keyof typeof SEGMENT_OFFSETS, number][]) {
    const seg = state[name];
    writeU16(page, off, seg.selector);
    writeU16(page, off + 2, seg.attrib);
    writeU32(page, off + 4, seg.limit);
    writeU64(page, off + 8, seg.base);
  }
  for (const name of ["efer", "cr4", "cr0", "dr7", "dr6", "rflags", "rip", "gPat", "rdx", "sevFeatures", "xcr0"] as const) {
    writeU64(page, OFFSET[name], state[name]);
  }
  writeU32(page, OFFSET.mxcsr, state.mxcsr);
  writeU16(page, OFFSET.x87Fcw, state.x87Fcw);
  return page;
}

export const PAT_DEFAULT = 0x0007_0406_0007_0406n;

/** Register values common to every VMM at reset (KVM: EFER.SVME, CR4.MCE, CR0.ET). */
export const RESET_COMMON = {
  gdtr: { selector: 0, attrib: 0, limit: 0xffff, base: 0 },
  idtr: { selector: 0, attrib: 0, limit: 0xffff, base: 0 },
  ldtr: { selector: 0, attrib: 0x82, limit: 0xffff, base: 0 },
  efer: 0x1000,
  cr4: 0x40,
  cr0: 0x10,
  dr7: 0x400,
  dr6: 0xffff0ff0,
  rflags: 0x2,
  xcr0: 0x1,
} as const;

export function dataSegment(attrib: number): Segment {
  return { selector: 0, attrib, limit: 0xffff, base: 0 };
}
