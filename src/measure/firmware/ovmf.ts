import { readU32 } from "../../util/bytes.js";
import { MeasureError } from "../errors.js";
import { parseFooterTable } from "./footer-table.js";
import {
  OVMF_SEV_METADATA_GUID,
  SEV_ES_RESET_BLOCK_GUID,
  SEV_HASH_TABLE_RV_GUID,
  SVSM_INFO_GUID,
} from "./guids.js";
import { parseSevMetadata, type SevMetadataSection } from "./sev-metadata.js";

export const PAGE_SIZE = 4096;
export const FOUR_GIB = 0x1_0000_0000;

/**
 * What an SNP launch digest needs of a firmware besides hashing its pages: where it sits and the
 * tables it carries. A reference-values document records this, so a verifier can extend a
 * published firmware digest for another kernel or vCPU count without the firmware bytes.
 */
export interface FirmwareLayout {
  /** Guest-physical address of the first byte: the image ends at `endGpa` (4 GiB for OVMF). */
  readonly gpa: number;
  readonly size: number;
  /** SEV_ES_RESET_BLOCK: the AP reset EIP, absent when the image has no such entry. */
  readonly sevEsResetEip: number | undefined;
  /** SEV_HASH_TABLE_RV: where QEMU places the kernel-hashes table (gpa 0 = not built for it). */
  readonly sevHashTable: { readonly gpa: number; readonly size: number } | undefined;
  /** SEV metadata sections in table order; undefined when the image carries no metadata entry. */
  readonly sevMetadata: readonly SevMetadataSection[] | undefined;
  /** SVSM_INFO: offset of the SVSM entry point inside an SVSM image. */
  readonly svsmInfoOffset: number | undefined;
}

/** A firmware image (OVMF or a COCONUT-SVSM binary): its bytes, footer table and layout. */
export interface FirmwareImage extends FirmwareLayout {
  readonly bytes: Uint8Array;
  readonly footerEntries: ReadonlyMap<string, Uint8Array>;
}

function u32Payload(entries: ReadonlyMap<string, Uint8Array>, guid: string, name: string, words = 1): number[] | undefined {
  const payload = entries.get(guid);
  if (payload === undefined) return undefined;
  if (payload.byteLength < 4 * words) {
    throw new MeasureError(
      "FOOTER_ENTRY_PAYLOAD",
      `OVMF footer entry ${name} has ${payload.byteLength} bytes of payload, expected at least ${4 * words}`,
    );
  }
  return Array.from({ length: words }, (_, i) => readU32(payload, 4 * i));
}

/**
 * Parses an image as the hypervisor maps it: ending at `endGpa`. Every offset read from the image is
 * bounds-checked, so malformed input yields a MeasureError, never an exception of another kind.
 */
export function parseFirmware(bytes: Uint8Array, endGpa: number = FOUR_GIB): FirmwareImage {
  const footerEntries = parseFooterTable(bytes);
  if (bytes.byteLength % PAGE_SIZE !== 0) {
    throw new MeasureError(
      "FIRMWARE_NOT_PAGE_ALIGNED",
      `size ${bytes.byteLength} is not a multiple of ${PAGE_SIZE} bytes, so it cannot be a firmware image`,
    );
  }
  const resetBlock = u32Payload(footerEntries, SEV_ES_RESET_BLOCK_GUID, "SEV_ES_RESET_BLOCK");
  const hashTable = u32Payload(footerEntries, SEV_HASH_TABLE_RV_GUID, "SEV_HASH_TABLE_RV", 2);
  const metadataOffset = u32Payload(footerEntries, OVMF_SEV_METADATA_GUID, "OVMF_SEV_METADATA");
  const svsmInfo = u32Payload(footerEntries, SVSM_INFO_GUID, "SVSM_INFO");
  return {
    bytes,
    gpa: endGpa - bytes.byteLength,
    size: bytes.byteLength,
    footerEntries,
    sevEsResetEip: resetBlock?.[0],
    sevHashTable: hashTable && { gpa: hashTable[0]!, size: hashTable[1]! },
    sevMetadata: metadataOffset && parseSevMetadata(bytes, metadataOffset[0]!),
    svsmInfoOffset: svsmInfo?.[0],
  };
}

/** SEV and SEV-ES can measure a kernel only when the image reserves a non-zero hashes-table address. */
export function supportsKernelHashesTable(image: FirmwareLayout): boolean {
  return image.sevHashTable !== undefined && image.sevHashTable.gpa !== 0;
}
