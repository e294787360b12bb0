import { digestsOf, hexDigests, sha256, withSha256, type DigestAlgorithm, type Digests } from "../../util/digest.js";
import { toHex } from "../../util/bytes.js";
import { EMPTY_SHA256, cmdlineBytes } from "../sev-hashes.js";
import { formatBootProtocol, parseBzImage, setupDataForMeasurement } from "./bzimage.js";
import { parseUki } from "./uki.js";

type WithSha256 = Digests & { readonly sha256: Uint8Array };

/** The reference values of a kernel file, as Oak's stage0 and QEMU's kernel-hashes table record them. */
export interface KernelDigests {
  readonly format: "bzImage" | "uki";
  readonly bootProtocol: number;
  readonly setupSects: number;
  /** The file itself (bzImage or UKI): what QEMU `-kernel` hashes into the kernel-hashes table. */
  readonly file: WithSha256;
  /** The bzImage (a UKI's `.linux` section): Oak's bz_image. */
  readonly bzImage: WithSha256;
  readonly bzImageSize: number;
  /** Oak `kernel_measurement`: the protected-mode kernel after the setup part. */
  readonly kernelImage: WithSha256;
  /** Oak `setup_data_digest`: the setup part with the VMM's edits (unless disabled) and ramdisk fields zeroed. */
  readonly setupData: WithSha256;
  readonly setupDataModifications: boolean;
  /** A UKI's own `.initrd` (its digests) and `.cmdline` (as systemd-stub passes it), and its sections. */
  readonly uki?: { readonly initrd: WithSha256 | undefined; readonly cmdline: string | undefined; readonly sections: readonly string[] };
}

export interface KernelOptions {
  readonly setupDataModifications: boolean;
  readonly algorithms: readonly DigestAlgorithm[];
}

function digestsWithSha256(bytes: Uint8Array, algorithms: readonly DigestAlgorithm[]): WithSha256 {
  return { ...digestsOf(bytes, algorithms), sha256: sha256(bytes) };
}

/** Measures a bzImage, or the parts of a unified kernel image. SHA-256 is always among the digests. */
export function measureKernel(file: Uint8Array, options: KernelOptions): KernelDigests {
  const uki = parseUki(file);
  const bzBytes = uki ? uki.linux : file;
  const bz = parseBzImage(bzBytes);
  const others = withSha256(options.algorithms).slice(1);
  const bzImage = digestsWithSha256(bzBytes, others);
  return {
    format: uki ? "uki" : "bzImage",
    bootProtocol: bz.bootProtocol,
    setupSects: bz.setupSects,
    file: uki ? digestsWithSha256(file, others) : bzImage,
    bzImage,
    bzImageSize: bzBytes.byteLength,
    kernelImage: digestsWithSha256(bz.image, others),
    setupData: digestsWithSha256(setupDataForMeasurement(bz, options.setupDataModifications), others),
    setupDataModifications: options.setupDataModifications,
    ...(uki
      ? { uki: { initrd: uki.initrd && digestsWithSha256(uki.initrd, others), cmdline: uki.cmdline, sections: uki.sectionNames } }
      : {}),
  };
}

/** The command line two ways: QEMU's kernel-hashes table hashes it with its NUL, Oak without. */
export interface CmdlineDigests {
  readonly value: string;
  readonly sha256: Uint8Array;
  readonly sha256WithNul: Uint8Array;
}

export function cmdlineDigests(value: string): CmdlineDigests {
  const withNul = cmdlineBytes(value);
  return { value, sha256: sha256(withNul.subarray(0, withNul.byteLength - 1)), sha256WithNul: sha256(withNul) };
}

/** What a kernel boots with besides itself: each named by its source (a component, a path, `uki:.initrd`). */
export interface KernelBootParts {
  /** Passed to the VMM (`-initrd`), as opposed to carried inside a UKI. */
  readonly initrd?: { readonly source: string; readonly digests: { readonly [algorithm: string]: string | undefined } } | undefined;
  readonly cmdline?: { readonly source: string; readonly value: string } | undefined;
}

/**
 * A kernel's reference values as documents record them: its component digests, the initrd and
 * command line Oak measures (the VMM's, else the UKI's own), and the three kernel-hashes table
 * entries QEMU computes for `-kernel FILE [-initrd ...] [-append ...]`: a UKI's embedded parts are
 * inside the kernel file, not separate entries.
 */
export function kernelRecord(kernel: KernelDigests, boot: KernelBootParts) {
  const initrd = boot.initrd ?? (kernel.uki?.initrd ? { source: "uki:.initrd", digests: hexDigests(kernel.uki.initrd) } : undefined);
  const cmdlineSource = boot.cmdline ?? (kernel.uki?.cmdline !== undefined ? { source: "uki:.cmdline", value: kernel.uki.cmdline } : undefined);
  const cmdline = cmdlineSource && cmdlineDigests(cmdlineSource.value);
  return {
    kernel: {
      format: kernel.format,
      bootProtocol: formatBootProtocol(kernel.bootProtocol),
      setupSects: kernel.setupSects,
      bzImage: hexDigests(kernel.bzImage),
      bzImageSize: kernel.bzImageSize,
      kernelImage: hexDigests(kernel.kernelImage),
      setupData: hexDigests(kernel.setupData),
      setupDataModifications: kernel.setupDataModifications,
    },
    initrd: initrd ?? null,
    cmdline: cmdline
      ? { source: cmdlineSource!.source, value: cmdline.value, sha256: toHex(cmdline.sha256), sha256WithNul: toHex(cmdline.sha256WithNul) }
      : null,
    qemuKernelHashes: {
      kernel: toHex(kernel.file.sha256),
      initrd: boot.initrd?.digests["sha256"] ?? toHex(EMPTY_SHA256),
      cmdline: toHex(sha256(cmdlineBytes(boot.cmdline?.value))),
    },
  };
}
