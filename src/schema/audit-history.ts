import { z } from "zod";
import { Sha256Hex } from "./common.js";
import { Verdict } from "./verdict.js";

/** One configuration a firmware endorsement publishes launch digests for. */
export const LaunchConfigurationSummary = z
  .object({
    mode: z.enum(["snp", "seves", "sev"]),
    vmm: z.string().nullable().describe("null for SEV (no VMSA)"),
    vcpu: z.string().nullable().describe("vCPU type, or signature when only that is given"),
    guestFeatures: z.string().nullable(),
    boot: z.string().nullable().describe("the kernel component measured through the kernel-hashes table, or null for a firmware-only boot"),
    vcpus: z.string().describe("vCPU counts with a published digest, as ranges (`1-64`); `any` for SEV"),
    digests: z.number().int().nonnegative(),
    byVcpus: z.record(z.string(), z.string()).describe("the endorsed launch digest (hex) per vCPU count; `any` for SEV"),
  })
  .strict();

/** A firmware endorsement's launch digests, by configuration. */
export const LaunchDigestSummary = z
  .object({
    configurations: z.number().int().nonnegative(),
    digests: z.number().int().nonnegative(),
    list: z.array(LaunchConfigurationSummary),
  })
  .strict();

/**
 * One endorsement logged under the component's key, with its own named checks (`checks`):
 * STATEMENT_AVAILABLE, STATEMENT_SIGNATURE, STATEMENT, INCLUSION_PROOF, CHECKPOINT_CONSISTENCY,
 * KEY_VALIDITY, LOG_TIME and, with reference values, REFERENCE_VALUES. The fields from the statement
 * are absent when it is not available or cannot be read.
 */
export const HistoryEntry = Verdict.extend({
  entryId: z.string(),
  logIndex: z.number().int().nonnegative(),
  integratedTime: z.string().describe("RFC 3339"),
  keyId: z.string(),
  statementSha256: z.string().describe("what the log entry holds: the hash of the signed statement"),
  release: z.object({ name: z.string(), version: z.string() }).strict().optional(),
  subject: z.object({ name: z.string(), digest: z.record(z.string(), z.string()) }).strict().optional(),
  issuedOn: z.string().optional(),
  validity: z.object({ notBefore: z.string(), notAfter: z.string() }).strict().optional(),
  claims: z.array(z.string()).optional(),
  valuesSha256: Sha256Hex.optional().describe("SHA-256 of the RFC 8785 JSON of the endorsed reference values"),
  launchDigests: LaunchDigestSummary.optional().describe("firmware only"),
  flagged: z.string().optional().describe("why the entry matches no reference-values document (with --reference-values)"),
  changes: z.array(z.string()).describe("what differs from the previous (older) entry of the component; empty for the oldest"),
}).strict();
export type HistoryEntry = z.infer<typeof HistoryEntry>;

/**
 * `reftrail audit history`: every endorsement logged under a component's keys, newest first. The
 * verdict's own checks are about the whole: the log's checkpoint (LOG_CHECKPOINT, against the
 * auditor's stored one), every entry verifying (ENTRIES), every entry found (COMPLETE: the index's
 * answer, or the whole log read when the index may have cut it) and, with reference values, none
 * flagged (REFERENCE_VALUES).
 */
export const AuditHistory = Verdict.extend({
  component: z.string(),
  log: z
    .object({
      source: z.string(),
      logId: Sha256Hex,
      checkpoint: z
        .object({ size: z.number().int().nonnegative(), rootHash: Sha256Hex, origin: z.string(), note: z.string().describe("the signed checkpoint note, as the log served it") })
        .strict()
        .optional()
        .describe("the log's checkpoint verified in this run"),
      stored: z.object({ size: z.number().int().nonnegative(), rootHash: Sha256Hex }).strict().optional().describe("the auditor's checkpoint from before this run"),
      advanced: z.boolean().describe("whether the auditor's state now keeps the new checkpoint"),
      problem: z.object({ kind: z.enum(["CHECKPOINT", "ROLLBACK", "FORK"]), title: z.string() }).strict().optional(),
    })
    .strict(),
  since: z.string().optional(),
  keys: z.array(z.string()).describe("the key ids searched"),
  total: z.number().int().nonnegative().describe("entries in the history (streamed ones too)"),
  entries: z.array(HistoryEntry).describe("newest first; the CLI writes them as they are read (first in its JSON)"),
}).strict();
export type AuditHistory = z.infer<typeof AuditHistory>;
