import type { KeyObject } from "node:crypto";
import { runSync } from "../util/async-crypto.js";
import type { LogEntry } from "../schema/rekor.js";
import { asBuffer, nodeCheckpoint, type Checkpoint } from "./checkpoint.js";
import { entryLeafOf, entrySet, inclusionInCheckpoint, logCheckpoint, logEntryChecks, type InclusionProof, type VerifiedEntry } from "./entry-checks.js";
import type { LogIdentity } from "./keys.js";
import type { InclusionMemo } from "./merkle-proof.js";

/**
 * The synchronous (node:crypto) drivers of the log-entry checks written once in entry-checks.ts,
 * with the API every CLI verifier calls.
 */
export { checkEntryId, type VerifiedEntry } from "./entry-checks.js";

/** What a verifier trusts about a log: its key and the name it signs checkpoints with. */
export interface TrustedLog {
  readonly identity: LogIdentity;
  /** Host name in checkpoint origins and signature lines (`rekor.sigstore.dev`, `reftrail.local`); unknown: as the checkpoint's origin names it. */
  readonly name?: string | undefined;
}

/** The body bytes and their Merkle leaf hash; the body must be canonical padded base64. */
export function entryLeaf(entry: LogEntry): { body: Uint8Array; leaf: Uint8Array } {
  const { body, leaf } = runSync(entryLeafOf<KeyObject>(entry));
  return { body: asBuffer(body), leaf };
}

export function checkEntrySet(entry: LogEntry, publicKey: KeyObject): void {
  runSync(entrySet(entry, publicKey));
}

/**
 * Verifies the proof's checkpoint: signed by the log key under `name` (when the caller knows the
 * log's host name; otherwise the name the origin gives), origin `<name> - <tree id>` naming the
 * entry's tree when known. Size and root are checked against the proof by checkInclusion.
 */
export function checkProofCheckpoint(proof: InclusionProof, identity: LogIdentity, name?: string, treeId?: bigint): { checkpoint: Checkpoint; treeId: bigint } {
  return checkLogCheckpoint(proof.checkpoint, identity, name, treeId);
}

/** Verifies a signed checkpoint of a Rekor v1 log on its own (as checkProofCheckpoint, for a note). */
export function checkLogCheckpoint(note: string, identity: LogIdentity, name?: string, treeId?: bigint): { checkpoint: Checkpoint; treeId: bigint } {
  const { checkpoint, treeId: tree } = runSync(logCheckpoint(note, identity, name, treeId));
  return { checkpoint: nodeCheckpoint(checkpoint), treeId: tree };
}

/** `memo`: a verifier checking many entries against one checkpoint hashes each shared step once (see InclusionMemo). */
export function checkInclusion(proof: InclusionProof, leaf: Uint8Array, checkpoint: Checkpoint, memo?: InclusionMemo): void {
  runSync(inclusionInCheckpoint<KeyObject>(proof, leaf, checkpoint, memo));
}

/**
 * Checks a Rekor v1 LogEntry end to end against a trusted log (see entry-checks.ts logEntryChecks).
 * Every failure is a TlogError with its own code.
 */
export function verifyLogEntry(entryId: string, entry: LogEntry, log: TrustedLog): VerifiedEntry {
  const verified = runSync(logEntryChecks(entryId, entry, log));
  return { ...verified, body: asBuffer(verified.body), checkpoint: nodeCheckpoint(verified.checkpoint) };
}
