import { writeU16 } from "../util/bytes.js";
import { sha256 } from "../util/digest.js";
import { guidToBytes } from "../util/guid.js";
import { PAGE_SIZE } from "./firmware/ovmf.js";
import { MeasureError } from "./errors.js";

/** SHA-256 of the three parts of a QEMU direct boot, as the kernel-hashes table records them. */
export interface KernelHashes {
  readonly kernel: Uint8Array;
  readonly initrd: Uint8Array;
  readonly cmdline: Uint8Array;
}

const TABLE_HEADER_GUID = guidToBytes("9438d606-4f22-4cc9-b479-a793d411fd21");
const CMDLINE_GUID = guidToBytes("97d02dd8-bd20-4c94-aa78-e7714d36ab2a");
const INITRD_GUID = guidToBytes("44baf731-3a2f-4bd7-9af1-41e29169781d");
const KERNEL_GUID = guidToBytes("4de79437-abd2-427f-b835-d5b172d2045b");

const ENTRY_SIZE = 16 + 2 + 32;
const TABLE_SIZE = 16 + 2 + 3 * ENTRY_SIZE;
/** QEMU pads the table to a multiple of 16 bytes and measures the padding too. */
export const PADDED_TABLE_SIZE = Math.ceil(TABLE_SIZE / 16) * 16;

/** SHA-256 of no data: what the table records for an absent (or empty) initrd. */
export const EMPTY_SHA256: Uint8Array = sha256(new Uint8Array(0));

/**
 * QEMU hashes the command line with its terminating NUL; no command line hashes as a lone NUL.
 * `trim` reproduces the virtee/sev crate, which strips surrounding whitespace first.
 */
export function cmdlineBytes(append: string | undefined, options: { trim?: boolean } = {}): Uint8Array {
  const text = options.trim ? (append ?? "").trim() : (append ?? "");
  checkCmdline(text);
  const encoded = new TextEncoder().encode(text);
  const bytes = new Uint8Array(encoded.byteLength + 1);
  bytes.set(encoded);
  return bytes;
}

/** A command line is a C string of UTF-8: no NUL inside, no unpaired surrogate that has no encoding. */
export function checkCmdline(text: string): void {
  if (text.includes("\0")) throw new MeasureError("CMDLINE", "a kernel command line cannot contain a NUL character (it is a C string)");
  if (!text.isWellFormed()) throw new MeasureError("CMDLINE", "the kernel command line has an unpaired surrogate, which has no UTF-8 encoding");
}

export function cmdlineHash(append: string | undefined, options: { trim?: boolean } = {}): Uint8Array {
  return sha256(cmdlineBytes(append, options));
}

/** QEMU's PaddedSevHashTable: header, then entries in the order cmdline, initrd, kernel. */
export function sevHashesTable(hashes: KernelHashes): Uint8Array {
  const table = new Uint8Array(PADDED_TABLE_SIZE);
  table.set(TABLE_HEADER_GUID, 0);
  writeU16(table, 16, TABLE_SIZE);
  const entries: [Uint8Array, Uint8Array][] = [
    [CMDLINE_GUID, hashes.cmdline],
    [INITRD_GUID, hashes.initrd],
    [KERNEL_GUID, hashes.kernel],
  ];
  entries.forEach(([guid, digest], i) => {
    const off = 18 + i * ENTRY_SIZE;
    if (digest.byteLength !== 32) throw new TypeError("kernel-hashes entries are SHA-256 digests");
    table.set(guid, off);
    writeU16(table, off + 16, ENTRY_SIZE);
    table.set(digest, off + 18);
  });
  return table;
}

/** The 4 KiB page SNP measures for the SNP_KERNEL_HASHES section: the table at `offsetInPage`. */
export function sevHashesPage(hashes: KernelHashes, offsetInPage: number): Uint8Array {
  if (offsetInPage + PADDED_TABLE_SIZE > PAGE_SIZE) {
    throw new MeasureError(
      "HASH_TABLE_PLACEMENT",
      `the kernel-hashes table at page offset 0x${offsetInPage.toString(16)} would cross the end of its page`,
    );
  }
  const page = new Uint8Array(PAGE_SIZE);
  page.set(sevHashesTable(hashes), offsetInPage);
  return page;
}
