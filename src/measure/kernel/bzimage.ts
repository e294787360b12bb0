import { readU16, readU32, writeU16, writeU32 } from "../../util/bytes.js";
import { MeasureError } from "../errors.js";

/**
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst): a bzImage is a real-mode setup part of
 * `(setup_sects + 1) × 512` bytes, whose header carries the boot parameters, followed by the
 * protected-mode kernel. A VMM loading it directly (QEMU `-kernel`) hands the two parts to the guest
 * separately, and Oak's stage0 measures them separately.
 */
const SETUP_SECTS = 0x1f1;
const BOOT_FLAG = 0x1fe;
const HEADER_MAGIC = 0x202;
const BOOT_PROTOCOL = 0x206;
const TYPE_OF_LOADER = 0x210;
const LOADFLAGS = 0x211;
const RAMDISK_IMAGE = 0x218;
const RAMDISK_SIZE = 0x21c;
const HEAP_END_PTR = 0x224;
const CMD_LINE_PTR = 0x228;
/** The header fields the measurement reads or edits end here (cmd_line_ptr, protocol 2.02). */
const HEADER_END = 0x22c;
const HDRS = 0x53726448; // "HdrS"
/** QEMU places the setup part at 0x10000 and the command line at 0x20000 (hw/i386/x86-common.c). */
const QEMU_REAL_MODE_BASE = 0x10000;
const QEMU_CMDLINE_ADDR = 0x20000;
const LOADER_TYPE_QEMU = 0xb0;
const CAN_USE_HEAP = 0x80;

export interface BzImage {
  /** setup_sects as the loader reads it (a stored 0 means 4). */
  readonly setupSects: number;
  /** Boot protocol version, e.g. 0x020f for 2.15. */
  readonly bootProtocol: number;
  /** The real-mode setup part, as in the file. */
  readonly setup: Uint8Array;
  /** The protected-mode kernel: everything after the setup part (Oak's "kernel image"). */
  readonly image: Uint8Array;
}

/** Boot protocol versions as Linux writes them: 0x020f is 2.15. */
export function formatBootProtocol(version: number): string {
  return `${version >> 8}.${(version & 0xff).toString().padStart(2, "0")}`;
}

/** Splits a bzImage after validating its setup header; every malformed input is a MeasureError. */
export function parseBzImage(bytes: Uint8Array): BzImage {
  if (bytes.byteLength < HEADER_END) {
    throw new MeasureError("KERNEL_TOO_SMALL", `${bytes.byteLength} bytes is too small for a bzImage (its setup header alone ends at 0x${HEADER_END.toString(16)})`);
  }
  if (readU16(bytes, BOOT_FLAG) !== 0xaa55) {
    throw new MeasureError("KERNEL_BOOT_FLAG", `not a bzImage: boot_flag at 0x1fe is 0x${readU16(bytes, BOOT_FLAG).toString(16)}, expected 0xaa55`);
  }
  if (readU32(bytes, HEADER_MAGIC) !== HDRS) {
    throw new MeasureError("KERNEL_HEADER", 'not a bzImage: no "HdrS" setup header magic at 0x202');
  }
  const bootProtocol = readU16(bytes, BOOT_PROTOCOL);
  if (bootProtocol < 0x0202) {
    throw new MeasureError(
      "KERNEL_BOOT_PROTOCOL",
      `boot protocol ${formatBootProtocol(bootProtocol)} predates cmd_line_ptr (2.02), which a VMM's direct boot needs`,
    );
  }
  const setupSects = bytes[SETUP_SECTS]! === 0 ? 4 : bytes[SETUP_SECTS]!;
  const setupSize = 512 * (setupSects + 1);
  if (setupSize >= bytes.byteLength) {
    throw new MeasureError(
      "KERNEL_SETUP_SIZE",
      `setup_sects ${setupSects} puts the setup part at ${setupSize} bytes, which leaves no kernel in the ${bytes.byteLength}-byte file (truncated?)`,
    );
  }
  return { setupSects, bootProtocol, setup: bytes.subarray(0, setupSize), image: bytes.subarray(setupSize) };
}

/**
 * The setup part as stage0 measures it: with the edits the VMM's loader makes (QEMU: loader type,
 * CAN_USE_HEAP, heap end and command-line pointers) unless `vmmModifications` is false (QEMU with
 * SEV passes the file unmodified, oak#5059), then with the ramdisk address and size zeroed, because
 * those depend on where the initrd lands and stage0 zeroes them before measuring.
 */
export function setupDataForMeasurement(bz: BzImage, vmmModifications: boolean): Uint8Array {
  const setup = Uint8Array.from(bz.setup);
  if (vmmModifications) {
    setup[TYPE_OF_LOADER] = LOADER_TYPE_QEMU;
    setup[LOADFLAGS] = setup[LOADFLAGS]! | CAN_USE_HEAP;
    writeU32(setup, CMD_LINE_PTR, QEMU_CMDLINE_ADDR);
    writeU16(setup, HEAP_END_PTR, QEMU_CMDLINE_ADDR - QEMU_REAL_MODE_BASE - 0x200);
  }
  writeU32(setup, RAMDISK_IMAGE, 0);
  writeU32(setup, RAMDISK_SIZE, 0);
  return setup;
}
