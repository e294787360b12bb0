import { z } from "zod";
import { Sha256Hex } from "./common.js";
import { DigestSet } from "./digests.js";

export const CmdlineMeasurement = z
  .object({
    value: z.string(),
    sha256: Sha256Hex.describe("SHA-256 of the command line without a NUL (Oak kernel_cmdline digest)"),
    sha256WithNul: Sha256Hex.describe("SHA-256 of the command line and its NUL (QEMU kernel-hashes table)"),
  })
  .strict();

export const KernelComponentDigests = z
  .object({
    format: z.enum(["bzImage", "uki"]),
    bootProtocol: z.string().regex(/^\d+\.\d{2}$/).describe("Linux boot protocol version of the setup header"),
    setupSects: z.number().int().min(1).max(255),
    bzImage: DigestSet.describe("the bzImage (a UKI's .linux section): Oak's bz_image"),
    bzImageSize: z.number().int().positive(),
    kernelImage: DigestSet.describe("Oak kernel_measurement: the protected-mode kernel after the setup part"),
    setupData: DigestSet.describe("Oak setup_data_digest: the setup part with the VMM's loader edits (unless disabled) and ramdisk fields zeroed"),
    setupDataModifications: z.boolean().describe("whether QEMU's loader edits were applied before hashing the setup data"),
  })
  .strict();

/** A kernel's values as both `measure kernel` and reference-values documents record them. */
export const kernelRecordFields = {
  kernel: KernelComponentDigests,
  initrd: z
    .object({ source: z.string().describe("component name, file path, or 'uki:.initrd'"), digests: DigestSet })
    .strict()
    .nullable()
    .describe("Oak ram_disk_digest"),
  cmdline: CmdlineMeasurement.extend({ source: z.string().describe("component name, 'uki:.cmdline', or '--append'") }).strict().nullable(),
  qemuKernelHashes: z
    .object({ kernel: Sha256Hex, initrd: Sha256Hex, cmdline: Sha256Hex })
    .strict()
    .describe("QEMU's kernel-hashes table entries for -kernel FILE with the VMM-given initrd and command line (a UKI's own parts are inside the kernel file)"),
};

export const KernelMeasurement = z
  .object({
    version: z.literal(1),
    file: z.object({ path: z.string(), size: z.number().int().positive(), digests: DigestSet }).strict(),
    uki: z.object({ sections: z.array(z.string()) }).strict().optional(),
    ...kernelRecordFields,
  })
  .strict()
  .describe("Output of `reftrail measure kernel --json`");
export type KernelMeasurement = z.infer<typeof KernelMeasurement>;

export const ArtifactDigests = z
  .object({
    version: z.literal(1),
    artifacts: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), digests: DigestSet }).strict()),
  })
  .strict()
  .describe("Output of `reftrail measure artifact --json`");
export type ArtifactDigests = z.infer<typeof ArtifactDigests>;
