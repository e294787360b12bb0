import { z } from "zod";
import { Sha256Hex } from "./common.js";
import { StoredCheckpoint } from "./monitor-state.js";

/**
 * The auditor's memory between runs (`<state dir>/auditor-state.json`): per log (by Rekor log id) the
 * last checkpoint it verified, so the next run can tell whether the log still extends it.
 */
export const AuditorState = z
  .object({
    version: z.literal(1),
    logs: z.record(
      Sha256Hex.describe("Rekor log id: SHA-256 of the log key's SPKI"),
      z
        .object({
          source: z.string().min(1).describe("where the log was read the last time (for messages only)"),
          checkpoint: StoredCheckpoint,
          verifiedAt: z.string().min(1).describe("RFC 3339 time of the run that verified it"),
        })
        .strict(),
    ),
  })
  .strict();
export type AuditorState = z.infer<typeof AuditorState>;
