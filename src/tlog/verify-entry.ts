import type { KeyObject } from "node:crypto";
import { fromHex, toHex } from "../util/bytes.js";
import type { LogEntry } from "../schema/rekor.js";
import { checkpointOrigin, parseCheckpoint, verifyCheckpoint, type Checkpoint } from "./checkpoint.js";
import { TlogError } from "./errors.js";
import type { LogIdentity } from "./keys.js";
import { leafHash, verifyInclusion } from "./merkle.js";
import { verifySet } from "./set.js";

/** What a verifier trusts about a log: its key and the name it signs checkpoints with. */
export interface TrustedLog {
  readonly identity: LogIdentity;
  /** Host name in checkpoint origins and signature lines (`rekor.sigstore.dev`, `reftrail.local`); unknown: as the checkpoint's origin names it. */
  readonly name?: string | undefined;
}

export interface VerifiedEntry {
  readonly entryId: string;
  readonly leaf: Uint8Array;
  readonly body: Uint8Array;
  readonly checkpoint: Checkpoint;
  readonly treeId: bigint;
}

type InclusionProof = NonNullable<LogEntry["verification"]["inclusionProof"]>;

/** The body bytes and their Merkle leaf hash; the body must be canonical padded base64. */
export function entryLeaf(entry: LogEntry): { body: Uint8Array; leaf: Uint8Array } {
  const body = Buffer.from(entry.body, "base64");
  if (body.toString("base64") !== entry.body) throw new TlogError("SET_FORMAT", "entry body is not canonical standard base64");
  return { body, leaf: leafHash(body) };
}

/** An entry id is `<16 hex tree id><64 hex leaf hash>` (or the bare leaf hash); returns the tree id if present. */
export function checkEntryId(entryId: string, leaf: Uint8Array): bigint | undefined {
  const m = /^([0-9a-f]{16})?([0-9a-f]{64})$/.exec(entryId);
  if (!m || m[2] !== toHex(leaf)) throw new TlogError("ENTRY_INVALID", "the entry id is not the tree id followed by the body's leaf hash");
  return m[1] === undefined ? undefined : BigInt(`0x${m[1]}`);
}

export function checkEntrySet(entry: LogEntry, publicKey: KeyObject): void {
  const set = entry.verification.signedEntryTimestamp;
  if (set === undefined) throw new TlogError("SET_SIGNATURE", "entry has no signed entry timestamp");
  const payload = { body: entry.body, integratedTime: entry.integratedTime, logID: entry.logID, logIndex: entry.logIndex };
  if (!verifySet(payload, Buffer.from(set, "base64"), publicKey)) {
    throw new TlogError("SET_SIGNATURE", "signed entry timestamp does not verify with the log key");
  }
}

function originParts(origin: string): { name: string; treeId: bigint } | undefined {
  const m = /^(\S+) - (0|[1-9][0-9]*)$/.exec(origin);
  return m ? { name: m[1]!, treeId: BigInt(m[2]!) } : undefined;
}

/**
 * Verifies the proof's checkpoint: signed by the log key under `name` (when the caller knows the
 * log's host name; otherwise the name the origin gives), origin `<name> - <tree id>` naming the
 * entry's tree when known. Size and root are checked against the proof by checkInclusion.
 */
export function checkProofCheckpoint(proof: InclusionProof, identity: LogIdentity, name?: string, treeId?: bigint): { checkpoint: Checkpoint; treeId: bigint } {
  return checkLogCheckpoint(proof.checkpoint, identity, name, treeId);
}

/**
 * Verifies a signed checkpoint of a Rekor v1 log (an inclusion proof's, or the signed tree head the
 * log serves): as checkProofCheckpoint, for a note on its own.
 */
export function checkLogCheckpoint(note: string, identity: LogIdentity, name?: string, treeId?: bigint): { checkpoint: Checkpoint; treeId: bigint } {
  const signer = name ?? originParts(parseCheckpoint(note).checkpoint.origin)?.name;
  if (signer === undefined) throw new TlogError("CHECKPOINT_ORIGIN", "checkpoint origin is not '<log name> - <tree id>'");
  const checkpoint = verifyCheckpoint(note, identity, signer);
  const origin = originParts(checkpoint.origin);
  if (origin === undefined || origin.name !== signer || (treeId !== undefined && origin.treeId !== treeId)) {
    const expected = treeId === undefined ? `${signer} - <tree id>` : checkpointOrigin(signer, treeId);
    throw new TlogError("CHECKPOINT_ORIGIN", `checkpoint origin '${checkpoint.origin}' is not '${expected}'`);
  }
  return { checkpoint, treeId: origin.treeId };
}

export function checkInclusion(proof: InclusionProof, leaf: Uint8Array, checkpoint: Checkpoint): void {
  if (checkpoint.size !== proof.treeSize || toHex(checkpoint.rootHash) !== proof.rootHash.toLowerCase()) {
    throw new TlogError("INCLUSION_PROOF", "the proof's tree size or root hash differs from its checkpoint's");
  }
  const hashes = proof.hashes.map((h) => fromHex(h.toLowerCase())!);
  if (!verifyInclusion(proof.logIndex, proof.treeSize, leaf, hashes, checkpoint.rootHash)) {
    throw new TlogError("INCLUSION_PROOF", "the inclusion proof does not reach the checkpoint's root");
  }
}

/**
 * Checks a Rekor v1 LogEntry end to end against a trusted log: the entry id names the body's leaf,
 * the logID is the log's, the SET verifies over the canonical fields, the inclusion proof reaches
 * the root of a checkpoint signed by the log whose origin names the entry's tree. Every failure is
 * a TlogError with its own code.
 */
export function verifyLogEntry(entryId: string, entry: LogEntry, log: TrustedLog): VerifiedEntry {
  const { body, leaf } = entryLeaf(entry);
  if (!/^[0-9a-f]{80}$/.test(entryId)) throw new TlogError("ENTRY_INVALID", "the entry id is not the tree id followed by the body's leaf hash");
  const entryTree = checkEntryId(entryId, leaf)!;
  if (entry.logID !== log.identity.logId) throw new TlogError("LOG_KEY", `entry logID ${entry.logID} is not the trusted log's ${log.identity.logId}`);
  checkEntrySet(entry, log.identity.publicKey);
  const proof = entry.verification.inclusionProof;
  if (proof === undefined) throw new TlogError("INCLUSION_PROOF", "entry has no inclusion proof");
  const { checkpoint, treeId } = checkProofCheckpoint(proof, log.identity, log.name, entryTree);
  checkInclusion(proof, leaf, checkpoint);
  return { entryId, leaf, body, checkpoint, treeId };
}
