import { z } from "zod";
import { Sha256Hex } from "./common.js";
import { CheckResult, Verdict } from "./verdict.js";

/**
 * The verdict `reftrail verify evidence --format snp --json` prints: the shared Verdict (the
 * report's checks and the evidence checks), plus what the evidence verifier found. The types the
 * verifier builds are inferred from these, so the schema cannot drift from the output.
 */

const Hex48 = z.string().regex(/^[0-9a-f]{96}$/);
const CheckName = CheckResult.shape.check;

/** The guest configuration whose recomputed launch digest is MEASUREMENT. */
export const MatchedConfiguration = z
  .object({
    vmm: z.string(),
    vcpus: z.number().int().min(1).max(512),
    vcpuType: z.string().nullable().describe("the QEMU vCPU model, when named by one (QEMU only)"),
    vcpuSignature: z.string().regex(/^0x[0-9a-f]+$/).nullable().describe("CPUID signature in the VMSA (QEMU only)"),
    guestFeatures: z.string().regex(/^0x[0-9a-f]+$/),
    kernelHashes: z.boolean().describe("a direct boot measured through the firmware's kernel-hashes table"),
  })
  .strict();
export type MatchedConfiguration = z.infer<typeof MatchedConfiguration>;

/** An SEV or SEV-ES launch configuration: SEV measures no VMSA, so neither VMM nor vCPUs enter its digest. */
export const SevConfiguration = z
  .object({
    mode: z.enum(["sev", "seves"]),
    vmm: z.string().nullable().describe("null in sev mode (its digest does not depend on the VMM)"),
    vcpus: z.number().int().min(0).max(512).nullable().describe("null in sev mode (one digest for every vCPU count)"),
    vcpuType: z.string().nullable(),
    vcpuSignature: z.string().regex(/^0x[0-9a-f]+$/).nullable(),
    kernelHashes: z.boolean(),
  })
  .strict();
export type SevConfiguration = z.infer<typeof SevConfiguration>;

/** One component of the policy: what was expected, what the evidence shows, how it is bound. */
export const ComponentRow = z
  .object({
    component: z.string(),
    kind: z.string(),
    status: z.enum(["VERIFIED", "NOT_BOUND", "SKIPPED", "NO_VALUE", "NOT_RUN"]),
    boundBy: z.string().nullable().describe("how the hardware measurement covers it, when it does"),
    expected: z.string().optional(),
    found: z.string().optional(),
    endorsement: z
      .object({ source: z.string(), logIndex: z.number().int().nonnegative().optional(), release: z.string().optional(), keyId: Sha256Hex.optional() })
      .strict()
      .optional()
      .describe("the endorsement the expected value came from"),
    detail: z.string().optional(),
  })
  .strict();
export type ComponentRow = z.infer<typeof ComponentRow>;

/** Each endorsement the source held for a policy component: accepted, or the check that refused it. */
export const EndorsementOutcome = z
  .object({
    source: z.string(),
    component: z.string().optional().describe("the component it claims (unauthenticated unless accepted)"),
    accepted: z.boolean(),
    refused: z.object({ check: CheckName, message: z.string() }).strict().optional(),
    release: z.string().optional(),
    logIndex: z.number().int().nonnegative().optional(),
    keyId: Sha256Hex.optional(),
  })
  .strict();
export type EndorsementOutcome = z.infer<typeof EndorsementOutcome>;

export const Diagnosis = z
  .object({
    summary: z.string(),
    tried: z
      .object({
        candidates: z.array(z.string()).describe("the boots (firmware, kernel-hashes table entries) the policy allows"),
        configurations: z.array(z.string()).describe("the policy's boot entries"),
        digests: z.number().int().nonnegative(),
        unmeasurable: z.array(z.string()),
      })
      .strict(),
    searched: z.number().int().nonnegative().describe("launch digests recomputed beyond the policy"),
    found: z
      .object({
        firmware: z.string(),
        kernel: z.object({ kernel: z.string(), initrd: z.string().optional(), cmdline: z.string() }).strict().optional(),
        configuration: MatchedConfiguration,
        differences: z.array(z.string()),
      })
      .strict()
      .optional()
      .describe("an endorsed combination that produces MEASUREMENT, and how it differs from the policy"),
  })
  .strict();
export type Diagnosis = z.infer<typeof Diagnosis>;

export const SnpEvidenceVerdict = Verdict.extend({
  format: z.literal("snp"),
  measurement: Hex48,
  product: z.enum(["Milan", "Genoa", "Turin"]).optional(),
  signer: z.enum(["VCEK", "VLEK"]).optional(),
  components: z.array(ComponentRow),
  configuration: MatchedConfiguration.optional(),
  endorsements: z.array(EndorsementOutcome),
  diagnosis: Diagnosis.optional(),
})
  .strict()
  .describe("`reftrail verify evidence --format snp --json`");
export type SnpEvidenceVerdict = z.infer<typeof SnpEvidenceVerdict>;
