import { z } from "zod";
import { Sha256Hex } from "./common.js";

/** What the monitor concluded about one log entry signed by a component key. */
export const EntryOutcome = z.enum(["released", "unreleased", "invalid"]);
export type EntryOutcome = z.infer<typeof EntryOutcome>;

/** The last checkpoint of a log the monitor verified (signature, and consistency with the one before). */
export const StoredCheckpoint = z
  .object({
    size: z.number().int().nonnegative(),
    rootHash: Sha256Hex,
    note: z.string().min(1).describe("the signed note exactly as the log served it"),
  })
  .strict();
export type StoredCheckpoint = z.infer<typeof StoredCheckpoint>;

export const MonitoredLog = z
  .object({
    checkpoint: StoredCheckpoint.optional().describe("absent until a first checkpoint verified"),
    entries: z
      .record(
        z.string().regex(/^([0-9a-f]{16})?[0-9a-f]{64}$/, "expected a Rekor entry id (64 or 80 lower-case hex digits)"),
        z.object({ logIndex: z.number().int().nonnegative(), outcome: EntryOutcome }).strict(),
      )
      .describe("every entry signed by a component key the monitor has checked, by entry id"),
  })
  .strict();
export type MonitoredLog = z.infer<typeof MonitoredLog>;

/**
 * The monitor's memory between runs (`reftrail-monitor/state.json`): per log (by Rekor log id) the
 * last verified checkpoint and the entries checked, the problems already reported, and the SHA-256 of
 * every released statement asset read (by asset id), so each is downloaded once.
 */
export const MonitorState = z
  .object({
    version: z.literal(1),
    logs: z.record(Sha256Hex.describe("Rekor log id: SHA-256 of the log key's SPKI"), MonitoredLog),
    reported: z.array(z.string().min(1)).describe("fingerprints of the problems an issue was opened for"),
    statementAssets: z.record(z.string().regex(/^[1-9][0-9]*$/, "expected a release asset id"), Sha256Hex).describe("release asset id -> SHA-256 of its bytes"),
  })
  .strict()
  .describe("State of the transparency-log monitor (actions/monitor)");
export type MonitorState = z.infer<typeof MonitorState>;
