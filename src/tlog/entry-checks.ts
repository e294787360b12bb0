import type { LogEntry } from "../schema/rekor.js";
import type { CryptoProgram } from "../util/crypto-program.js";
import { bytesOfBase64, bytesOfBase64Loosely, bytesOfHex, hexOf } from "../util/encoding.js";
import { checkpointOrigin, checkpointSignature, parseCheckpoint, type Checkpoint } from "./checkpoint-note.js";
import { TlogError } from "./errors.js";
import { inclusionProof, leafHashOf, type InclusionMemo } from "./merkle-proof.js";
import { setSignature } from "./set-payload.js";

/**
 * The checks of a Rekor v1 log entry, written once over the crypto-program operations with the
 * log key of whatever type the driver verifies with: verify-entry.ts runs them on node:crypto, the
 * browser viewer on WebCrypto. Every failure is a TlogError with its own code.
 */

/** A log's key and the ids Rekor derives from it (tlog/keys.ts's LogIdentity with K = KeyObject). */
export interface LogKey<K> {
  readonly publicKey: K;
  /** SHA-256 of the SPKI DER, lower-case hex (Rekor's logID). */
  readonly logId: string;
  /** The first 4 bytes of the logID: the signed-note key hint. */
  readonly keyHint: Uint8Array;
}

export type InclusionProof = NonNullable<LogEntry["verification"]["inclusionProof"]>;

export interface VerifiedEntry {
  readonly entryId: string;
  readonly leaf: Uint8Array;
  readonly body: Uint8Array;
  readonly checkpoint: Checkpoint;
  readonly treeId: bigint;
}

/** The body bytes and their Merkle leaf hash; the body must be canonical padded base64. */
export function* entryLeafOf<K>(entry: LogEntry): CryptoProgram<{ body: Uint8Array; leaf: Uint8Array }, K> {
  const body = bytesOfBase64(entry.body);
  if (body === undefined) throw new TlogError("SET_FORMAT", "entry body is not canonical standard base64");
  return { body, leaf: yield* leafHashOf(body) };
}

/** An entry id is `<16 hex tree id><64 hex leaf hash>` (or the bare leaf hash); returns the tree id if present. */
export function checkEntryId(entryId: string, leaf: Uint8Array): bigint | undefined {
  const m = /^([0-9a-f]{16})?([0-9a-f]{64})$/.exec(entryId);
  if (!m || m[2] !== hexOf(leaf)) throw new TlogError("ENTRY_INVALID", "the entry id is not the tree id followed by the body's leaf hash");
  return m[1] === undefined ? undefined : BigInt(`0x${m[1]}`);
}

/** The SET verifies with the log key over the entry's canonical fields. */
export function* entrySet<K>(entry: LogEntry, publicKey: K): CryptoProgram<void, K> {
  const set = entry.verification.signedEntryTimestamp;
  if (set === undefined) throw new TlogError("SET_SIGNATURE", "entry has no signed entry timestamp");
  const payload = { body: entry.body, integratedTime: entry.integratedTime, logID: entry.logID, logIndex: entry.logIndex };
  // Read as Buffer always read it: the signature check that follows is what counts.
  if (!(yield* setSignature(payload, bytesOfBase64Loosely(set), publicKey))) {
    throw new TlogError("SET_SIGNATURE", "signed entry timestamp does not verify with the log key");
  }
}

function originParts(origin: string): { name: string; treeId: bigint } | undefined {
  const m = /^(\S+) - (0|[1-9][0-9]*)$/.exec(origin);
  return m ? { name: m[1]!, treeId: BigInt(m[2]!) } : undefined;
}

/**
 * Verifies a signed checkpoint of a Rekor v1 log (an inclusion proof's, or the signed tree head
 * the log serves): signed by the log key under `name` (when the caller knows the log's host name;
 * otherwise the name the origin gives), origin `<name> - <tree id>` naming the entry's tree when
 * known. Size and root are checked against a proof by inclusionInCheckpoint.
 */
export function* logCheckpoint<K>(note: string, log: LogKey<K>, name?: string, treeId?: bigint): CryptoProgram<{ checkpoint: Checkpoint; treeId: bigint }, K> {
  const signer = name ?? originParts(parseCheckpoint(note).checkpoint.origin)?.name;
  if (signer === undefined) throw new TlogError("CHECKPOINT_ORIGIN", "checkpoint origin is not '<log name> - <tree id>'");
  const checkpoint = yield* checkpointSignature(note, log.publicKey, log.keyHint, signer);
  const origin = originParts(checkpoint.origin);
  if (origin === undefined || origin.name !== signer || (treeId !== undefined && origin.treeId !== treeId)) {
    const expected = treeId === undefined ? `${signer} - <tree id>` : checkpointOrigin(signer, treeId);
    throw new TlogError("CHECKPOINT_ORIGIN", `checkpoint origin '${checkpoint.origin}' is not '${expected}'`);
  }
  return { checkpoint, treeId: origin.treeId };
}

/** The proof names its checkpoint's size and root, and reaches that root from `leaf` (`memo`: see InclusionMemo). */
export function* inclusionInCheckpoint<K>(proof: InclusionProof, leaf: Uint8Array, checkpoint: Checkpoint, memo?: InclusionMemo): CryptoProgram<void, K> {
  if (checkpoint.size !== proof.treeSize || hexOf(checkpoint.rootHash) !== proof.rootHash.toLowerCase()) {
    throw new TlogError("INCLUSION_PROOF", "the proof's tree size or root hash differs from its checkpoint's");
  }
  const hashes = proof.hashes.map((h) => bytesOfHex(h.toLowerCase()));
  if (hashes.some((h) => h === undefined) || !(yield* inclusionProof(proof.logIndex, proof.treeSize, leaf, hashes as Uint8Array[], checkpoint.rootHash, memo))) {
    throw new TlogError("INCLUSION_PROOF", "the inclusion proof does not reach the checkpoint's root");
  }
}

/**
 * Checks a Rekor v1 LogEntry end to end against a trusted log: the entry id names the body's leaf,
 * the logID is the log's, the SET verifies over the canonical fields, the inclusion proof reaches
 * the root of a checkpoint signed by the log whose origin names the entry's tree.
 */
export function* logEntryChecks<K>(entryId: string, entry: LogEntry, log: { readonly identity: LogKey<K>; readonly name?: string | undefined }): CryptoProgram<VerifiedEntry, K> {
  const { body, leaf } = yield* entryLeafOf<K>(entry);
  if (!/^[0-9a-f]{80}$/.test(entryId)) throw new TlogError("ENTRY_INVALID", "the entry id is not the tree id followed by the body's leaf hash");
  const entryTree = checkEntryId(entryId, leaf)!;
  if (entry.logID !== log.identity.logId) throw new TlogError("LOG_KEY", `entry logID ${entry.logID} is not the trusted log's ${log.identity.logId}`);
  yield* entrySet(entry, log.identity.publicKey);
  const proof = entry.verification.inclusionProof;
  if (proof === undefined) throw new TlogError("INCLUSION_PROOF", "entry has no inclusion proof");
  const { checkpoint, treeId } = yield* logCheckpoint(proof.checkpoint, log.identity, log.name, entryTree);
  yield* inclusionInCheckpoint<K>(proof, leaf, checkpoint);
  return { entryId, leaf, body, checkpoint, treeId };
}
