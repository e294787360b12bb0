import { readU32 } from "../../util/bytes.js";
import { MeasureError } from "../errors.js";

/** Section types of the OVMF SEV metadata (edk2 OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm). */
export const SevSectionType = {
  SNP_SEC_MEM: 1,
  SNP_SECRETS: 2,
  CPUID: 3,
  SVSM_CAA: 4,
  SNP_KERNEL_HASHES: 0x10,
} as const;
export type SevSectionTypeName = keyof typeof SevSectionType;

export interface SevMetadataSection {
  readonly gpa: number;
  readonly size: number;
  /** Raw type value; checked when an SNP launch walks the sections, as the hypervisor does. */
  readonly type: number;
}

const HEADER_SIZE = 16;
const DESCRIPTOR_SIZE = 12;
const SIGNATURE = [0x41, 0x53, 0x45, 0x56]; // "ASEV"

export function sectionTypeName(type: number): SevSectionTypeName | undefined {
  for (const [name, value] of Object.entries(SevSectionType)) {
    if (value === type) return name as SevSectionTypeName;
  }
  return undefined;
}

/**
 * Reads the `ASEV` header the metadata footer entry points to (`offsetFromEnd` bytes before EOF):
 * `"ASEV" ‖ u32 size ‖ u32 version ‖ u32 count`, then `count` × `{u32 gpa, u32 size, u32 type}`.
 */
export function parseSevMetadata(image: Uint8Array, offsetFromEnd: number): SevMetadataSection[] {
  const start = image.byteLength - offsetFromEnd;
  if (offsetFromEnd < HEADER_SIZE || start < 0) {
    throw new MeasureError(
      "SEV_METADATA_OFFSET",
      `SEV metadata offset 0x${offsetFromEnd.toString(16)} from the end lies outside the ${image.byteLength}-byte image`,
    );
  }
  if (!SIGNATURE.every((b, i) => image[start + i] === b)) {
    throw new MeasureError("SEV_METADATA_SIGNATURE", `SEV metadata at offset 0x${start.toString(16)} lacks the "ASEV" signature`);
  }
  const size = readU32(image, start + 4);
  const version = readU32(image, start + 8);
  const count = readU32(image, start + 12);
  if (version !== 1) {
    throw new MeasureError("SEV_METADATA_VERSION", `SEV metadata version ${version} is not supported (expected 1)`);
  }
  if (size > image.byteLength - start || size < HEADER_SIZE || count > (size - HEADER_SIZE) / DESCRIPTOR_SIZE) {
    throw new MeasureError(
      "SEV_METADATA_SIZE",
      `SEV metadata claims ${size} bytes and ${count} sections, which do not fit in the image`,
    );
  }
  const sections: SevMetadataSection[] = [];
  for (let i = 0; i < count; i++) {
    const off = start + HEADER_SIZE + i * DESCRIPTOR_SIZE;
    sections.push({ gpa: readU32(image, off), size: readU32(image, off + 4), type: readU32(image, off + 8) });
  }
  return sections;
}
