import { z } from "zod";
import { DigestAlgorithmName } from "./digests.js";
import { VCPU_TYPES, VMM_TYPES, VcpuCountError, parseVcpuCounts } from "./launch-vocabulary.js";

/** Names that are safe as file names and keys: letters, digits, dot, dash, underscore, plus. */
export const ComponentName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, "letters, digits and . _ + - only, starting with a letter or digit");
const Version = z.string().min(1).regex(/^[A-Za-z0-9][A-Za-z0-9._+~:-]*$/, "a version: letters, digits and . _ + ~ : -");

/** A 0x-prefixed hex integer no larger than `max` (manifests may use either case). */
export const hexAtMost = (max: bigint, what: string) =>
  z
    .string()
    .regex(/^0x[0-9a-fA-F]+$/, "expected 0x-prefixed hex")
    .refine((text) => /^0x[0-9a-fA-F]+$/.test(text) && BigInt(text) <= max, `out of range for ${what}`);

export const VcpuCounts = z
  .string()
  .describe("vCPU counts: 4, 1-64, 1,2,4,64 or a mix (1..512)")
  .superRefine((text, ctx) => {
    try {
      if (parseVcpuCounts(text).includes(0)) ctx.addIssue({ code: "custom", message: "0 vCPUs is no guest launch: publish counts from 1" });
    } catch (err) {
      ctx.addIssue({ code: "custom", message: err instanceof VcpuCountError ? err.message : String(err) });
    }
  });

export const LaunchDigestSpec = z
  .object({
    mode: z.enum(["snp", "seves", "sev"]),
    vcpus: VcpuCounts.optional().describe("required in snp and seves modes"),
    vcpuTypes: z.array(z.enum(["all", ...VCPU_TYPES.keys()])).min(1).optional().describe("QEMU CPU models, or ['all']"),
    vcpuSignatures: z.array(hexAtMost(0xffffffffn, "a 32-bit CPUID signature")).min(1).optional().describe("CPUID signatures, instead of or besides vcpuTypes"),
    vmmTypes: z.array(z.enum(VMM_TYPES)).min(1).default(["QEMU"]),
    guestFeatures: z.array(hexAtMost((1n << 64n) - 1n, "64-bit guest features")).min(1).default(["0x1"]).describe("VMSA SEV_FEATURES values (snp mode)"),
    boot: ComponentName.optional().describe("a kernel component: measure its QEMU direct boot through the kernel-hashes table"),
    conventions: z
      .object({
        ec2LegacyRdx: z.boolean().default(false),
        cmdlineTrim: z.boolean().default(false),
        vmsaGpa: hexAtMost(0xf_ffff_ffff_f000n, "a 52-bit GPA")
          .refine((t) => /^0x[0-9a-fA-F]+$/.test(t) && BigInt(t) !== 0n && BigInt(t) % 4096n === 0n, "must be a non-zero page-aligned address")
          .optional(),
        signatureConvention: z.enum(["cpuid", "oak"]).default("cpuid"),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.mode !== "sev" && spec.vcpus === undefined) ctx.addIssue({ code: "custom", path: ["vcpus"], message: `required in ${spec.mode} mode` });
    if (spec.mode === "sev") {
      for (const key of ["vcpus", "vcpuTypes", "vcpuSignatures"] as const) {
        if (spec[key] !== undefined) ctx.addIssue({ code: "custom", path: [key], message: "sev mode measures no VMSA, so no vCPU enters its digest: remove this field" });
      }
    }
  });
export type LaunchDigestSpec = z.infer<typeof LaunchDigestSpec>;

const common = {
  name: ComponentName,
  version: Version,
  description: z.string().optional(),
  claims: z.array(z.url()).default([]).describe("claim type URIs the component's endorsement will carry"),
};
const Path = z.string().min(1).describe("file path, relative to the manifest's directory");
const Algorithms = z.array(DigestAlgorithmName).min(1).default(["sha256"]);
/** A GitHub release asset name: the file the endorse Action downloads for a component. */
const Asset = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/, "a release asset file name: letters, digits and . _ + ~ -, starting with a letter or digit")
  .max(255)
  .optional()
  .describe("the release asset holding this file, for actions/endorse (default: the file name of path)");

export const FirmwareComponent = z
  .object({ ...common, kind: z.literal("firmware"), path: Path, asset: Asset, launchDigests: z.array(LaunchDigestSpec).min(1) })
  .strict();
export const KernelComponent = z
  .object({
    ...common,
    kind: z.literal("kernel"),
    path: Path.describe("bzImage or unified kernel image"),
    asset: Asset,
    initrd: ComponentName.optional().describe("the initrd component it boots with"),
    cmdline: ComponentName.optional().describe("the cmdline component it boots with"),
    setupDataModifications: z.boolean().default(true).describe("false: setup data hashed without QEMU's loader edits (QEMU with SEV)"),
    algorithms: Algorithms,
  })
  .strict();
export const InitrdComponent = z.object({ ...common, kind: z.literal("initrd"), path: Path, asset: Asset, algorithms: Algorithms }).strict();
export const CmdlineValue = z
  .string()
  .refine((v) => !v.includes("\0"), "a kernel command line cannot contain a NUL character (it is a C string)")
  .refine((v) => v.isWellFormed(), "has an unpaired surrogate, which has no UTF-8 encoding");
export const CmdlineComponent = z.object({ ...common, kind: z.literal("cmdline"), value: CmdlineValue }).strict();
export const ArtifactComponent = z.object({ ...common, kind: z.literal("artifact"), path: Path, asset: Asset, algorithms: Algorithms }).strict();

export const Component = z.discriminatedUnion("kind", [FirmwareComponent, KernelComponent, InitrdComponent, CmdlineComponent, ArtifactComponent]);
export type Component = z.infer<typeof Component>;

export const ReleaseManifest = z
  .object({
    version: z.literal(1),
    release: z.object({ name: ComponentName, version: Version }).strict(),
    components: z.array(Component).min(1),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const byName = new Map<string, Component>();
    manifest.components.forEach((c, i) => {
      if (byName.has(c.name)) ctx.addIssue({ code: "custom", path: ["components", i, "name"], message: `duplicate component name '${c.name}'` });
      byName.set(c.name, c);
    });
    const reference = (path: (string | number)[], name: string | undefined, kind: Component["kind"]) => {
      if (name !== undefined && byName.get(name)?.kind !== kind) {
        ctx.addIssue({ code: "custom", path, message: `no ${kind} component named '${name}'` });
      }
    };
    manifest.components.forEach((c, i) => {
      if (c.kind === "kernel") {
        reference(["components", i, "initrd"], c.initrd, "initrd");
        reference(["components", i, "cmdline"], c.cmdline, "cmdline");
      }
      if (c.kind === "firmware") {
        c.launchDigests.forEach((spec, j) => reference(["components", i, "launchDigests", j, "boot"], spec.boot, "kernel"));
      }
    });
  })
  .describe("A release: its components and the reference values to compute for each (`reftrail measure release --manifest`)");
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;
