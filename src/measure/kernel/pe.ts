import { readU16, readU32 } from "../../util/bytes.js";
import { MeasureError } from "../errors.js";

/** A section of a PE/COFF image (Microsoft PE format, "Section Table"). */
export interface PeSection {
  readonly name: string;
  readonly virtualSize: number;
  readonly virtualAddress: number;
  readonly rawSize: number;
  readonly rawOffset: number;
}

const PE_SIGNATURE = 0x00004550; // "PE\0\0"
const SECTION_HEADER_SIZE = 40;
/** The PE format's limit on sections in an image (loaders, systemd-stub among them, refuse more). */
const MAX_SECTIONS = 96;

/** True when the bytes start like a PE image ("MZ"); bzImages with an EFI stub do too. */
export function looksLikePe(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 0x40 && bytes[0] === 0x4d && bytes[1] === 0x5a;
}

/** Reads the section table (bounds-checked); section data is checked when it is extracted. */
export function parsePeSections(bytes: Uint8Array): PeSection[] {
  if (!looksLikePe(bytes)) throw new MeasureError("PE_FORMAT", 'not a PE image: no "MZ" DOS header');
  const peOffset = readU32(bytes, 0x3c);
  if (peOffset > bytes.byteLength - 24 || readU32(bytes, peOffset) !== PE_SIGNATURE) {
    throw new MeasureError("PE_FORMAT", `not a PE image: no "PE" signature at the offset 0x${peOffset.toString(16)} the DOS header names`);
  }
  const count = readU16(bytes, peOffset + 6);
  if (count > MAX_SECTIONS) throw new MeasureError("PE_FORMAT", `PE image claims ${count} sections, more than the format's ${MAX_SECTIONS}`);
  const optionalHeaderSize = readU16(bytes, peOffset + 20);
  const table = peOffset + 24 + optionalHeaderSize;
  if (table + count * SECTION_HEADER_SIZE > bytes.byteLength) {
    throw new MeasureError("PE_FORMAT", `PE section table (${count} sections at 0x${table.toString(16)}) runs past the end of the file`);
  }
  const sections: PeSection[] = [];
  for (let i = 0; i < count; i++) {
    const off = table + i * SECTION_HEADER_SIZE;
    const rawName = bytes.subarray(off, off + 8);
    const end = rawName.indexOf(0);
    const section = {
      name: new TextDecoder("latin1").decode(end < 0 ? rawName : rawName.subarray(0, end)),
      virtualSize: readU32(bytes, off + 8),
      virtualAddress: readU32(bytes, off + 12),
      rawSize: readU32(bytes, off + 16),
      rawOffset: readU32(bytes, off + 20),
    };
    sections.push(section);
  }
  return sections;
}

/**
 * The bytes a section holds once loaded: its virtual size, taken from its raw data (the raw size is
 * padded to the file alignment). An empty section maps nothing (systemd-stub treats it as absent), so
 * it describes no boot and is refused. A section whose virtual size exceeds its raw data would be
 * zero-filled in memory; for the payloads measured here that means a damaged image, so it is refused.
 */
export function sectionData(bytes: Uint8Array, section: PeSection): Uint8Array {
  const size = section.virtualSize;
  if (size === 0) throw new MeasureError("PE_FORMAT", `PE section ${section.name} has virtual size 0: a loader maps nothing for it`);
  if (section.rawOffset + section.rawSize > bytes.byteLength) {
    throw new MeasureError(
      "PE_FORMAT",
      `PE section ${section.name} (0x${section.rawOffset.toString(16)}+0x${section.rawSize.toString(16)}) runs past the end of the ${bytes.byteLength}-byte file (truncated?)`,
    );
  }
  if (size > section.rawSize) {
    throw new MeasureError("PE_FORMAT", `PE section ${section.name} claims ${size} bytes but holds only ${section.rawSize} in the file`);
  }
  return bytes.subarray(section.rawOffset, section.rawOffset + size);
}
