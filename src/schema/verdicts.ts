import { z } from "zod";
import { Sha256Hex } from "./common.js";
import { CheckResult, Verdict } from "./verdict.js";

/**
 * The verdicts `reftrail verify endorsement|bundle|report|release --json` print, each the shared
 * Verdict (verdict.ts) with what that verifier adds. Every object is strict: a field the verifier
 * prints and the schema does not name fails the tests that parse real output with these.
 */

const CheckName = CheckResult.shape.check;
const Rfc3339 = z.string().describe("RFC 3339 time, UTC");

/** The failure of a verifier that stops at the first one. */
const Failure = z.object({ check: CheckName, message: z.string() }).strict();

export const EndorsementVerdict = Verdict.extend({
  failure: Failure.extend({ file: z.string().optional().describe("for a component folder: the file that failed") })
    .strict()
    .optional()
    .describe("the first check that failed (the checks after it did not run)"),
  checks: z.array(CheckResult.extend({ detail: z.string() }).strict()),
  endorsement: z
    .object({
      component: z.string(),
      subject: z.object({ name: z.string(), digest: z.record(z.string(), z.string()) }).strict(),
      issuedOn: Rfc3339,
      validity: z.object({ notBefore: Rfc3339, notAfter: Rfc3339 }).strict(),
      claims: z.array(z.string()),
      keyId: Sha256Hex.optional().describe("the component key that signed it"),
      reftrail: z
        .object({
          release: z.object({ name: z.string(), version: z.string() }).strict(),
          component: z.string(),
          valuesSha256: Sha256Hex.describe("SHA-256 of the RFC 8785 JSON of the endorsed reference values"),
        })
        .strict()
        .optional(),
    })
    .strict()
    .optional()
    .describe("what the statement says, once it could be read"),
  logEntry: z
    .object({
      form: z.enum(["logentry", "bundle", "cosign-set"]),
      entryId: z.string().optional(),
      logIndex: z.number().int().nonnegative(),
      integratedTime: Rfc3339,
      logId: z.string(),
      treeId: z.string().regex(/^[0-9]+$/).optional(),
      treeSize: z.number().int().positive().optional(),
    })
    .strict()
    .optional(),
  files: z
    .array(z.object({ file: z.string(), verified: z.boolean(), failure: Failure.optional() }).strict())
    .optional()
    .describe("a component folder: each file that carries the log entry, verified on its own"),
}).strict();
export type EndorsementVerdict = z.infer<typeof EndorsementVerdict>;

export const ReportVerdict = Verdict.extend({
  product: z.string().optional().describe("Milan, Genoa or Turin, when known"),
  signer: z.string().optional().describe("VCEK or VLEK, when the certificate says"),
}).strict();
export type ReportVerdict = z.infer<typeof ReportVerdict>;

export const ReleaseVerdict = Verdict.extend({
  components: z.array(
    z
      .object({
        folder: z.string(),
        verdict: EndorsementVerdict.optional(),
        error: z.object({ code: z.string(), message: z.string() }).strict().optional().describe("the folder could not be read as an endorsement"),
      })
      .strict(),
  ),
  release: z
    .array(z.object({ check: CheckName, folder: z.string().optional(), message: z.string() }).strict())
    .describe("what keeps the endorsements from being one release"),
  skipped: z.array(z.object({ name: z.string(), reason: z.string() }).strict()).describe("entries of the folder that were not verified, and why"),
}).strict();
export type ReleaseVerdict = z.infer<typeof ReleaseVerdict>;
