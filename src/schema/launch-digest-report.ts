import { z } from "zod";
import { VMM_TYPES } from "./launch-vocabulary.js";
import { HexInteger, Sha256Hex, Sha384Hex } from "./common.js";

/** A launch digest as printed: hex (64 or 96 digits) or base64 of 32 or 48 bytes. */
const LaunchDigest = z
  .string()
  .regex(/^(?:[0-9a-f]{64}|[0-9a-f]{96}|[A-Za-z0-9+/]{43}=|[A-Za-z0-9+/]{64})$/, "expected a hex or base64 launch digest");

const VcpuCount = z.string().regex(/^(?:0|[1-9][0-9]*)$/, "expected a vCPU count");

const InputFile = z.object({
  path: z.string(),
  sha256: Sha256Hex,
  size: z.number().int().nonnegative(),
});

const Firmware = InputFile.extend({
  /** SNP modes: the launch digest after the firmware pages (sev-snp-measure's OVMF hash). */
  snpFirmwareDigest: Sha384Hex.optional(),
}).strict();

const KernelHashesInputs = z
  .object({
    kernel: z.object({ path: z.string(), sha256: Sha256Hex }).strict(),
    initrd: z.object({ path: z.string().nullable(), sha256: Sha256Hex }).strict(),
    cmdline: z.object({ value: z.string().nullable(), sha256: Sha256Hex }).strict(),
  })
  .strict()
  .describe("The QEMU kernel-hashes table entries: SHA-256 of the kernel file, the initrd, and the command line with its NUL");

const Conventions = z
  .object({
    ec2LegacyRdx: z.boolean().describe("EC2 VMSA RDX 0 (virtee/sev crate, sev-snp-measure before 2026-04-28) instead of 0x600"),
    cmdlineTrim: z.boolean().describe("whitespace stripped from the command line before hashing (virtee/sev crate)"),
    vmsaGpa: HexInteger.describe("GPA recorded for VMSA pages"),
    signatureConvention: z.enum(["cpuid", "oak"]).describe("how family/model/stepping map to the CPUID signature"),
  })
  .strict();

const configurationFields = {
  vmmType: z.enum(VMM_TYPES),
  vcpuType: z.string().nullable().describe("QEMU CPU model name, null when given as a signature or family/model/stepping, or unused by the VMM"),
  vcpuSignature: HexInteger.nullable().describe("CPUID Fn0000_0001 EAX placed in RDX; null when the VMM does not use it"),
  guestFeatures: HexInteger.nullable().describe("VMSA SEV_FEATURES; null in seves mode (always 0 there)"),
  digests: z.record(VcpuCount, LaunchDigest).describe("vCPU count -> launch digest"),
};

const common = {
  version: z.literal(1),
  encoding: z.enum(["hex", "base64"]).describe("encoding of the launch digests (input hashes are always hex)"),
  firmware: Firmware,
  precomputedFirmwareDigest: Sha384Hex.optional().describe("--snp-ovmf-hash: used instead of hashing the firmware pages"),
  svsm: InputFile.extend({ varsSize: z.number().int().positive() }).strict().optional(),
  kernelHashes: KernelHashesInputs.optional(),
  conventions: Conventions,
  warnings: z.array(z.string()),
};

export const LaunchDigestReport = z
  .union([
    z.object({ ...common, mode: z.enum(["sev", "snp:ovmf-hash"]), digest: LaunchDigest }).strict(),
    z.object({ ...common, mode: z.enum(["snp", "seves", "snp:svsm"]), ...configurationFields }).strict(),
    z
      .object({
        ...common,
        mode: z.enum(["snp", "seves", "snp:svsm"]),
        configurations: z.array(z.object(configurationFields).strict()).min(2),
      })
      .strict(),
  ])
  .describe("Output of `reftrail measure launch-digest --json`");

export type LaunchDigestReport = z.infer<typeof LaunchDigestReport>;


export const ComposeReport = z
  .object({
    version: z.literal(1),
    mode: z.literal("snp"),
    referenceValues: z.string().describe("the reference-values document the firmware came from"),
    release: z.object({ name: z.string(), version: z.string() }).strict(),
    firmware: z.object({ component: z.string(), version: z.string(), sha256: Sha256Hex, snpFirmwareDigest: Sha384Hex }).strict(),
    boot: z
      .object({ kernel: Sha256Hex, initrd: Sha256Hex, cmdline: Sha256Hex.describe("with its NUL"), cmdlineValue: z.string().nullable() })
      .strict()
      .nullable()
      .describe("the kernel-hashes table entries of the composed direct boot"),
    conventions: Conventions,
    configurations: z.array(z.object(configurationFields).strict()).min(1),
    warnings: z.array(z.string()),
  })
  .strict()
  .describe("Output of `reftrail measure compose --json`");
export type ComposeReport = z.infer<typeof ComposeReport>;
