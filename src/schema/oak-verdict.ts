import { z } from "zod";
import { CheckStatus, Verdict } from "./verdict.js";

/**
 * One component of an Oak boot chain as the verifier saw it: how the evidence binds it (the
 * report's MEASUREMENT, or an event certified by a DICE layer), the value the reference values or
 * their endorsement expected, the value the evidence holds, and the endorsement it came from.
 */
export const OakComponentRow = z
  .object({
    component: z.string().describe("e.g. stage0, kernel image, kernel setup data, kernel cmdline, initrd, system image"),
    boundBy: z.string().describe('how the evidence binds the value: "report MEASUREMENT", "DICE layer N event", ...'),
    expected: z.string().describe("the accepted value(s): digests as alg:hex, a regex or literals, or why nothing is compared"),
    found: z.string().describe("the value in the evidence"),
    endorsement: z
      .object({
        subject: z.string().describe("the endorsement statement's subject name"),
        logIndex: z.number().int().min(0).optional().describe("its Rekor log index, when the reference values required the log"),
      })
      .strict()
      .optional(),
    status: CheckStatus,
    detail: z.string().optional(),
  })
  .strict();
export type OakComponentRow = z.infer<typeof OakComponentRow>;

/** `reftrail verify evidence --format oak --json`: the shared verdict plus one row per component. */
export const OakEvidenceVerdict = Verdict.extend({
  format: z.literal("oak"),
  at: z.string().describe("the verification time, RFC 3339"),
  evidenceType: z.enum(["oak_containers", "oak_restricted_kernel"]).optional().describe("the boot chain the event log describes"),
  components: z.array(OakComponentRow),
}).strict();
export type OakEvidenceVerdict = z.infer<typeof OakEvidenceVerdict>;
