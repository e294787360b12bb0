import { fromHex, toHex } from "../util/bytes.js";
import type { LogEntry } from "../schema/rekor.js";
import { verifyCheckpoint, type Checkpoint } from "./checkpoint.js";
import { TlogError } from "./errors.js";
import type { LogIdentity } from "./keys.js";
import { leafHash, verifyInclusion } from "./merkle.js";
import { verifySet } from "./set.js";

/** What a verifier trusts about a log: its key and the name it signs checkpoints with. */
export interface TrustedLog {
  readonly identity: LogIdentity;
  /** Host name in checkpoint origins and signature lines (`rekor.sigstore.dev`, `reftrail.local`). */
  readonly name: string;
}

export interface VerifiedEntry {
  readonly entryId: string;
  readonly leaf: Uint8Array;
  readonly body: Uint8Array;
  readonly checkpoint: Checkpoint;
  readonly treeId: bigint;
}

/**
 * Checks a Rekor v1 LogEntry end to end against a trusted log: the entry id names the body's leaf,
 * the logID is the log's, the SET verifies over the canonical fields, the inclusion proof reaches
 * the root of a checkpoint signed by the log whose origin names the entry's tree. Every failure is
 * a TlogError with its own code.
 */
export function verifyLogEntry(entryId: string, entry: LogEntry, log: TrustedLog): VerifiedEntry {
  const body = Buffer.from(entry.body, "base64");
  if (body.toString("base64") !== entry.body) throw new TlogError("SET_FORMAT", "entry body is not canonical standard base64");
  const leaf = leafHash(body);
  if (!/^[0-9a-f]{80}$/.test(entryId) || entryId.slice(16) !== toHex(leaf)) {
    throw new TlogError("ENTRY_INVALID", "the entry id is not the tree id followed by the body's leaf hash");
  }
  if (entry.logID !== log.identity.logId) throw new TlogError("LOG_KEY", `entry logID ${entry.logID} is not the trusted log's ${log.identity.logId}`);
  const set = entry.verification.signedEntryTimestamp;
  if (set === undefined) throw new TlogError("SET_SIGNATURE", "entry has no signed entry timestamp");
  const setPayload = { body: entry.body, integratedTime: entry.integratedTime, logID: entry.logID, logIndex: entry.logIndex };
  if (!verifySet(setPayload, Buffer.from(set, "base64"), log.identity.publicKey)) {
    throw new TlogError("SET_SIGNATURE", "signed entry timestamp does not verify with the log key");
  }
  const proof = entry.verification.inclusionProof;
  if (proof === undefined) throw new TlogError("INCLUSION_PROOF", "entry has no inclusion proof");
  const checkpoint = verifyCheckpoint(proof.checkpoint, log.identity, log.name);
  const treeId = BigInt(`0x${entryId.slice(0, 16)}`);
  if (checkpoint.origin !== `${log.name} - ${treeId}`) {
    throw new TlogError("CHECKPOINT_ORIGIN", `checkpoint origin '${checkpoint.origin}' is not '${log.name} - ${treeId}'`);
  }
  if (checkpoint.size !== proof.treeSize || toHex(checkpoint.rootHash) !== proof.rootHash) {
    throw new TlogError("INCLUSION_PROOF", "the proof's tree size or root hash differs from its checkpoint's");
  }
  const hashes = proof.hashes.map((h) => fromHex(h)!);
  if (!verifyInclusion(proof.logIndex, proof.treeSize, leaf, hashes, checkpoint.rootHash)) {
    throw new TlogError("INCLUSION_PROOF", "the inclusion proof does not reach the checkpoint's root");
  }
  return { entryId, leaf, body, checkpoint, treeId };
}
