import { z } from "zod";
import { VMM_TYPES } from "./launch-vocabulary.js";
import { HexInteger, Sha256Hex, Sha384Hex } from "./common.js";
import { DigestSet } from "./digests.js";
import { CmdlineMeasurement, kernelRecordFields } from "./kernel-measurement.js";
import { ComponentName } from "./release-manifest.js";

const LaunchDigest = z.string().regex(/^(?:[0-9a-f]{64}|[0-9a-f]{96})$/, "a hex launch digest");

/** What an in-toto endorsement of the component names as its subject. */
const Subject = z.object({ name: z.string(), digest: DigestSet }).strict();

const common = {
  name: ComponentName,
  version: z.string(),
  claims: z.array(z.string()),
  subject: Subject,
};

/** Everything an SNP launch digest needs of the firmware besides its pages, for composition. */
export const FirmwareLayoutRecord = z
  .object({
    gpa: HexInteger,
    size: z.number().int().positive(),
    snpFirmwareDigest: Sha384Hex.describe("SNP launch digest after the firmware pages (sev-snp-measure's OVMF hash)"),
    sevFirmwareState: Sha256Hex.optional().describe(
      "SHA-256 chaining value (eight big-endian words) after the firmware file's bytes, a whole number of 64-byte blocks: SEV and SEV-ES digests for any kernel and vCPU count continue from it; absent in documents made before reftrail recorded it",
    ),
    sevEsResetEip: HexInteger.nullable(),
    sevHashTable: z.object({ gpa: HexInteger, size: HexInteger }).strict().nullable(),
    sevMetadata: z
      .array(z.object({ gpa: HexInteger, size: HexInteger, type: HexInteger }).strict())
      .nullable()
      .describe("SEV metadata sections in table order; null when the firmware has none"),
  })
  .strict()
  .describe("recompute SNP digests for any kernel or vCPU count with `reftrail measure compose`");

const Conventions = z
  .object({ ec2LegacyRdx: z.boolean(), cmdlineTrim: z.boolean(), vmsaGpa: HexInteger, signatureConvention: z.enum(["cpuid", "oak"]) })
  .strict();

const Boot = z
  .object({ kernel: ComponentName, kernelSha256: Sha256Hex, initrdSha256: Sha256Hex, cmdlineSha256: Sha256Hex.describe("with its NUL") })
  .strict()
  .nullable()
  .describe("the QEMU direct boot measured through the kernel-hashes table, if any");

const PerVcpuLaunchDigests = z
  .object({
    mode: z.enum(["snp", "seves"]),
    vmmType: z.enum(VMM_TYPES),
    vcpuType: z.string().nullable(),
    vcpuSignature: HexInteger.nullable(),
    guestFeatures: HexInteger.nullable().describe("null in seves mode (always 0 there)"),
    boot: Boot,
    conventions: Conventions,
    digests: z.record(z.string().regex(/^\d+$/), LaunchDigest).describe("vCPU count -> launch digest"),
  })
  .strict();

const SevLaunchDigest = z
  .object({ mode: z.literal("sev"), boot: Boot, conventions: Conventions, digest: LaunchDigest.describe("SEV measures no VMSA: one digest for any vCPU count") })
  .strict();

export const LaunchDigestConfiguration = z.discriminatedUnion("mode", [PerVcpuLaunchDigests, SevLaunchDigest]);

export const FirmwareValues = z
  .object({ ...common, kind: z.literal("firmware"), size: z.number().int().positive(), layout: FirmwareLayoutRecord, launchDigests: z.array(LaunchDigestConfiguration) })
  .strict();
export type FirmwareValues = z.infer<typeof FirmwareValues>;

export const KernelValues = z.object({ ...common, kind: z.literal("kernel"), size: z.number().int().positive(), ...kernelRecordFields }).strict();
export type KernelValues = z.infer<typeof KernelValues>;

export const InitrdValues = z.object({ ...common, kind: z.literal("initrd"), size: z.number().int().nonnegative() }).strict();
export const CmdlineValues = z.object({ ...common, kind: z.literal("cmdline"), cmdline: CmdlineMeasurement }).strict();
export const ArtifactValues = z.object({ ...common, kind: z.literal("artifact"), size: z.number().int().nonnegative() }).strict();

export const ComponentValues = z.discriminatedUnion("kind", [FirmwareValues, KernelValues, InitrdValues, CmdlineValues, ArtifactValues]);
export type ComponentValues = z.infer<typeof ComponentValues>;

export const ReferenceValues = z
  .object({
    version: z.literal(1),
    release: z.object({ name: ComponentName, version: z.string() }).strict(),
    generator: z.string().describe("the reftrail version that computed the values"),
    components: z.array(ComponentValues).min(1),
  })
  .strict()
  .describe("Reference values of a release (`reftrail measure release`): every component's digests, and per firmware its launch digests");
export type ReferenceValues = z.infer<typeof ReferenceValues>;
