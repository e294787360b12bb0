import { z } from "zod";
import { VCPU_TYPES, VMM_TYPES } from "./launch-vocabulary.js";
import { Sha256Hex } from "./common.js";
import { DigestSet } from "./digests.js";
import { CmdlineValue, ComponentName, VcpuCounts, hexAtMost } from "./release-manifest.js";
import { SnpPolicy } from "./snp-policy.js";
import { Rfc3339 } from "./time.js";

/** The roles a component plays in an SEV-SNP launch (`artifact`: a file the hardware never measures). */
export const COMPONENT_KINDS = ["firmware", "kernel", "initrd", "cmdline", "artifact"] as const;

const LogRequirements = z
  .object({
    logIds: z
      .array(Sha256Hex)
      .min(1)
      .optional()
      .describe("the entry must be in one of these logs (SHA-256 of the log key's SPKI, as Rekor's logID); default: every log the verifier trusts"),
    inclusionProof: z.boolean().default(true).describe("require an inclusion proof against a signed checkpoint (false also accepts a SET-only entry)"),
    integratedAfter: Rfc3339.optional().describe("the entry must have been logged at or after this time"),
    integratedBefore: Rfc3339.optional().describe("the entry must have been logged at or before this time"),
  })
  .strict();

const EndorsementRule = z
  .object({
    keyIds: z
      .array(Sha256Hex)
      .min(1)
      .optional()
      .describe("only these of the component's registered keys (SHA-256 of the SPKI); default: every key the key registry lists for the component, each in its window"),
    claims: z.array(z.string().min(1)).default([]).describe("claim type URIs the endorsement must carry"),
    release: z
      .object({ name: ComponentName, version: z.string().min(1).optional() })
      .strict()
      .optional()
      .describe("the endorsement must name this release (a version pins one release)"),
    valuesSha256: Sha256Hex.optional().describe("the endorsed reference values must be exactly these (SHA-256 of their RFC 8785 JSON)"),
    log: LogRequirements.prefault({}),
  })
  .strict();
export type EndorsementRule = z.infer<typeof EndorsementRule>;

/**
 * Where a component's expected value comes from: an endorsement (verified in full before any
 * value in it is used), a literal value written into the policy, or nowhere (`skip`, with the
 * reason in the policy so the verdict can say it).
 */
const ComponentRule = z
  .object({
    kind: z.enum(COMPONENT_KINDS),
    endorsement: EndorsementRule.optional(),
    digest: DigestSet.optional().describe("literal: the file's digest (kernel: of the bzImage or UKI; initrd: of the initrd)"),
    value: CmdlineValue.optional().describe("literal: the kernel command line (cmdline only)"),
    skip: z.object({ reason: z.string().min(1) }).strict().optional().describe("do not verify this component; the verdict reports it skipped with this reason"),
  })
  .strict()
  .superRefine((rule, ctx) => {
    const given = (["endorsement", "digest", "value", "skip"] as const).filter((k) => rule[k] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: "custom", message: `give exactly one of endorsement, digest, value and skip (found ${given.length ? given.join(", ") : "none"})` });
      return;
    }
    if (rule.value !== undefined && rule.kind !== "cmdline") ctx.addIssue({ code: "custom", path: ["value"], message: "a literal value is a command line: only for kind cmdline (give digest)" });
    if (rule.digest !== undefined && rule.kind === "cmdline") ctx.addIssue({ code: "custom", path: ["digest"], message: "the kernel-hashes table hashes the command line with its NUL: give the command line as value" });
    if (rule.digest !== undefined && rule.kind === "firmware") {
      ctx.addIssue({ code: "custom", path: ["digest"], message: "a firmware's launch digest is recomputed from its endorsed layout: give an endorsement (or skip)" });
    }
  });
export type ComponentRule = z.infer<typeof ComponentRule>;

/** Guest configurations the measurement may come from: every combination of the values listed. */
const BootConfiguration = z
  .object({
    vcpus: VcpuCounts,
    vmmTypes: z.array(z.enum(VMM_TYPES)).min(1),
    vcpuTypes: z.array(z.enum([...VCPU_TYPES.keys()] as [string, ...string[]])).min(1).optional().describe("QEMU CPU models (QEMU only)"),
    vcpuSignatures: z.array(hexAtMost(0xffffffffn, "a 32-bit CPUID signature")).min(1).optional().describe("CPUID signatures, instead of or besides vcpuTypes (QEMU only)"),
    guestFeatures: z.array(hexAtMost((1n << 64n) - 1n, "64-bit guest features")).min(1),
    kernelHashes: z.boolean().describe("true: QEMU kernel-hashes=on, the kernel, initrd and command line are measured through the firmware's kernel-hashes table"),
    conventions: z
      .object({
        ec2LegacyRdx: z.boolean().default(false),
        vmsaGpa: hexAtMost(0xf_ffff_ffff_f000n, "a 52-bit GPA").optional(),
        signatureConvention: z.enum(["cpuid", "oak"]).default("cpuid"),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.vmmTypes.includes("QEMU") && c.vcpuTypes === undefined && c.vcpuSignatures === undefined) {
      ctx.addIssue({ code: "custom", path: ["vcpuTypes"], message: "QEMU's VMSA holds the vCPU signature: give vcpuTypes or vcpuSignatures" });
    }
  });
export type BootConfiguration = z.infer<typeof BootConfiguration>;

/**
 * What `reftrail verify evidence` accepts: the platform (the SEV-SNP report policy), every component
 * and where its expected value comes from, and the boot configurations the launch digest may be
 * recomputed for. `reftrail policy init` writes one for a release with strict defaults: exactly its
 * components, values and configurations. Unknown fields are errors.
 */
export const EvidencePolicy = z
  .object({
    version: z.literal(1),
    description: z.string().optional(),
    platform: SnpPolicy.optional().describe("the SEV-SNP report policy (as `reftrail verify report --policy`); default: debug and migration agent not allowed"),
    components: z.record(ComponentName, ComponentRule).refine((c) => Object.keys(c).length > 0, "name at least one component"),
    boot: z.array(BootConfiguration).min(1).describe("the configurations MEASUREMENT may come from"),
  })
  .strict()
  .superRefine((policy, ctx) => {
    for (const kind of ["firmware", "kernel", "initrd", "cmdline"] as const) {
      const named = Object.entries(policy.components).filter(([, r]) => r.kind === kind).map(([n]) => n);
      if (named.length > 1) ctx.addIssue({ code: "custom", path: ["components"], message: `one ${kind} boots a guest, but ${named.length} are listed (${named.join(", ")})` });
    }
    const firmware = Object.values(policy.components).find((r) => r.kind === "firmware");
    if (firmware === undefined || firmware.skip !== undefined) {
      ctx.addIssue({ code: "custom", path: ["components"], message: "an SEV-SNP measurement starts with the firmware: list a firmware component with an endorsement" });
    }
  })
  .describe("Verification policy for `reftrail verify evidence --format snp` (`reftrail policy init` writes one for a release)");
export type EvidencePolicy = z.output<typeof EvidencePolicy>;
