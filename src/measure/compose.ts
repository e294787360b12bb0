import { fromHex, toHex } from "../util/bytes.js";
import type { FirmwareValues, KernelValues } from "../schema/reference-values.js";
import { sha256 } from "../util/digest.js";
import { EMPTY_SHA256, cmdlineBytes, type KernelHashes } from "./sev-hashes.js";
import type { FirmwareLayout } from "./firmware/ovmf.js";
import { MeasureError } from "./errors.js";

/**
 * The firmware of a reference-values document as the SNP launch-digest engine sees it: its layout
 * and precomputed page digest. With these, `snpLaunchDigests` measures a direct boot of any kernel,
 * initrd and command line, for any vCPU count and configuration, without the firmware bytes; with
 * the SHA-256 chaining value after the file, when recorded, SEV and SEV-ES digests too.
 */
export function firmwareFromValues(values: FirmwareValues): { layout: FirmwareLayout; firmwareDigest: Uint8Array; sevFirmwareState: Uint8Array | undefined } {
  const { layout } = values;
  const int = (hex: string) => {
    const n = Number(BigInt(hex));
    if (!Number.isSafeInteger(n)) throw new MeasureError("REFERENCE_LAYOUT", `firmware layout value ${hex} is out of range`);
    return n;
  };
  const firmwareDigest = fromHex(layout.snpFirmwareDigest)!;
  return {
    firmwareDigest,
    sevFirmwareState: layout.sevFirmwareState === undefined ? undefined : fromHex(layout.sevFirmwareState)!,
    layout: {
      gpa: int(layout.gpa),
      size: layout.size,
      sevEsResetEip: layout.sevEsResetEip === null ? undefined : int(layout.sevEsResetEip),
      sevHashTable: layout.sevHashTable === null ? undefined : { gpa: int(layout.sevHashTable.gpa), size: int(layout.sevHashTable.size) },
      sevMetadata: layout.sevMetadata === null ? undefined : layout.sevMetadata.map((s) => ({ gpa: int(s.gpa), size: int(s.size), type: int(s.type) })),
      svsmInfoOffset: undefined,
    },
  };
}

/**
 * The kernel-hashes table entries a kernel component records, checked against the rest of its
 * record: the kernel entry is the file's subject digest, and the initrd and command-line entries are
 * those the VMM passes (empty when none is, or when they are a UKI's own). A document that disagrees
 * with itself is refused rather than composed from.
 */
export function kernelHashesOf(kernel: KernelValues): KernelHashes {
  const table = kernel.qemuKernelHashes;
  const vmmInitrd = kernel.initrd && kernel.initrd.source !== "uki:.initrd" ? kernel.initrd.digests.sha256 : undefined;
  const vmmCmdline = kernel.cmdline && kernel.cmdline.source !== "uki:.cmdline" ? kernel.cmdline.value : undefined;
  const expected = {
    kernel: kernel.subject.digest.sha256,
    initrd: vmmInitrd ?? toHex(EMPTY_SHA256),
    cmdline: toHex(sha256(cmdlineBytes(vmmCmdline))),
  };
  for (const entry of ["kernel", "initrd", "cmdline"] as const) {
    if (table[entry] !== expected[entry]) {
      throw new MeasureError(
        "REFERENCE_INCONSISTENT",
        `kernel component '${kernel.name}': its kernel-hashes ${entry} entry ${table[entry]} does not match its own ${entry} digest ${expected[entry] ?? "(none)"}`,
      );
    }
  }
  return { kernel: fromHex(table.kernel)!, initrd: fromHex(table.initrd)!, cmdline: fromHex(table.cmdline)! };
}
