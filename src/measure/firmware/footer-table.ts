import { readU16 } from "../../util/bytes.js";
import { guidFromBytes, guidToBytes } from "../../util/guid.js";
import { bytesEqual } from "../../util/bytes.js";
import { MeasureError } from "../errors.js";
import { OVMF_TABLE_FOOTER_GUID } from "./guids.js";

/** Size of one table entry header: u16 length followed by the GUID. */
export const FOOTER_ENTRY_HEADER_SIZE = 18;
/** The table ends this many bytes before the end of the image (the reset vector lives there). */
const FOOTER_TABLE_END_FROM_EOF = 32;
export const MIN_FIRMWARE_SIZE = FOOTER_TABLE_END_FROM_EOF + FOOTER_ENTRY_HEADER_SIZE;

const footerGuid = guidToBytes(OVMF_TABLE_FOOTER_GUID);

/**
 * The GUIDed table edk2 places just below the reset vector. It is walked from its end towards the
 * start: each entry is `payload ‖ u16 size ‖ GUID`, with `size` covering the whole entry.
 * Returns an empty map when the footer GUID is absent (images that are not OVMF, variable stores).
 */
export function parseFooterTable(image: Uint8Array): Map<string, Uint8Array> {
  if (image.byteLength < MIN_FIRMWARE_SIZE) {
    throw new MeasureError(
      "FIRMWARE_TOO_SMALL",
      `${image.byteLength} bytes is too small for an OVMF image (at least ${MIN_FIRMWARE_SIZE} bytes are needed for the footer table)`,
    );
  }
  const footerStart = image.byteLength - FOOTER_TABLE_END_FROM_EOF - FOOTER_ENTRY_HEADER_SIZE;
  const entries = new Map<string, Uint8Array>();
  if (!bytesEqual(image.subarray(footerStart + 2, footerStart + FOOTER_ENTRY_HEADER_SIZE), footerGuid)) {
    return entries;
  }
  const tableSize = readU16(image, footerStart) - FOOTER_ENTRY_HEADER_SIZE;
  if (tableSize < 0) return entries;
  if (tableSize > footerStart) {
    throw new MeasureError(
      "FOOTER_TABLE_SIZE",
      `OVMF footer table claims ${tableSize} bytes, more than the ${footerStart} bytes before it`,
    );
  }
  let end = footerStart;
  const start = footerStart - tableSize;
  while (end - start >= FOOTER_ENTRY_HEADER_SIZE) {
    const header = end - FOOTER_ENTRY_HEADER_SIZE;
    const entrySize = readU16(image, header);
    if (entrySize < FOOTER_ENTRY_HEADER_SIZE || entrySize > end - start) {
      throw new MeasureError(
        "FOOTER_ENTRY_SIZE",
        `OVMF footer table entry at offset 0x${header.toString(16)} has invalid size ${entrySize} (expected ${FOOTER_ENTRY_HEADER_SIZE}..${end - start})`,
      );
    }
    const guid = guidFromBytes(image.subarray(header + 2, header + FOOTER_ENTRY_HEADER_SIZE));
    if (entries.has(guid)) {
      throw new MeasureError("FOOTER_ENTRY_DUPLICATE", `OVMF footer table lists GUID ${guid} twice`);
    }
    entries.set(guid, image.subarray(end - entrySize, header));
    end -= entrySize;
  }
  return entries;
}
