import { digest, sha256, type DigestAlgorithm } from "../../util/digest.js";
import { cmdlineBytes } from "../sev-hashes.js";
import { parseBzImage, setupDataForMeasurement } from "./bzimage.js";
import { parseUki } from "./uki.js";

export type Digests = Partial<Record<DigestAlgorithm, Uint8Array>>;

export function digestsOf(bytes: Uint8Array, algorithms: readonly DigestAlgorithm[]): Digests {
  return Object.fromEntries(algorithms.map((a) => [a, digest(a, bytes)]));
}

/** The reference values of a kernel, as Oak's stage0 and the QEMU kernel-hashes table record them. */
export interface KernelDigests {
  readonly format: "bzImage" | "uki";
  readonly bootProtocol: number;
  readonly setupSects: number;
  /** The bzImage file (a UKI's `.linux` section): the kernel-hashes table's kernel entry, Oak's bz_image. */
  readonly bzImage: Digests & { readonly sha256: Uint8Array };
  readonly bzImageSize: number;
  /** Oak `kernel_measurement`: the protected-mode kernel after the setup part. */
  readonly kernelImage: Digests;
  /** Oak `setup_data_digest`: the setup part with the VMM's edits (unless disabled) and ramdisk fields zeroed. */
  readonly setupData: Digests;
  readonly setupDataModifications: boolean;
  /** Present for a UKI: its `.initrd` and command line, which then need not be given separately. */
  readonly uki?: { readonly initrd: Uint8Array | undefined; readonly cmdline: string | undefined; readonly sections: readonly string[] };
}

export interface KernelOptions {
  readonly setupDataModifications: boolean;
  readonly algorithms: readonly DigestAlgorithm[];
}

/** Measures a bzImage, or the `.linux` section of a unified kernel image. */
export function measureKernel(file: Uint8Array, options: KernelOptions): KernelDigests {
  const uki = parseUki(file);
  const bzBytes = uki ? uki.linux : file;
  const bz = parseBzImage(bzBytes);
  const algorithms = options.algorithms.includes("sha256") ? options.algorithms : ["sha256" as const, ...options.algorithms];
  return {
    format: uki ? "uki" : "bzImage",
    bootProtocol: bz.bootProtocol,
    setupSects: bz.setupSects,
    bzImage: { ...digestsOf(bzBytes, algorithms.filter((a) => a !== "sha256")), sha256: sha256(bzBytes) },
    bzImageSize: bzBytes.byteLength,
    kernelImage: digestsOf(bz.image, options.algorithms),
    setupData: digestsOf(setupDataForMeasurement(bz, options.setupDataModifications), options.algorithms),
    setupDataModifications: options.setupDataModifications,
    ...(uki ? { uki: { initrd: uki.initrd, cmdline: uki.cmdline, sections: uki.sectionNames } } : {}),
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
