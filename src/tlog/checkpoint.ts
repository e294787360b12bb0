import { sign, type KeyObject } from "node:crypto";
import { runSync } from "../util/async-crypto.js";
import { checkpointBody, checkpointSignature, EM_DASH, parseCheckpoint as parseNote, type Checkpoint } from "./checkpoint-note.js";
import type { LogIdentity } from "./keys.js";

/**
 * Signed checkpoints on node:crypto: signing (the embedded log) and the synchronous driver of the
 * signature check written once in checkpoint-note.ts.
 */
export { checkpointBody, checkpointOrigin, type Checkpoint } from "./checkpoint-note.js";

/** A view of bytes as a Buffer (no copy): the Node API has always handed out Buffers, and callers use their methods. */
export const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** The checkpoint with its root hash as a Buffer, as this module's callers have always had it. */
export const nodeCheckpoint = (c: Checkpoint): Checkpoint => ({ ...c, rootHash: asBuffer(c.rootHash) });

/** Parses a note without checking signatures. */
export function parseCheckpoint(note: string): ReturnType<typeof parseNote> {
  const parsed = parseNote(note);
  return { ...parsed, checkpoint: nodeCheckpoint(parsed.checkpoint) };
}

/** Signs a checkpoint with an ECDSA log key, naming the signer `name` (the log's host name). */
export function signCheckpoint(c: Checkpoint, name: string, privateKey: KeyObject, identity: LogIdentity): string {
  const body = checkpointBody(c);
  const signature = sign("sha256", Buffer.from(body), privateKey);
  const blob = Buffer.concat([identity.keyHint, signature]).toString("base64");
  return `${body}\n${EM_DASH} ${name} ${blob}\n`;
}

/**
 * Verifies a checkpoint signed by the log `identity` under `name`: some signature line with that
 * name and the key's hint must verify over the note body. Returns the parsed checkpoint.
 */
export function verifyCheckpoint(note: string, identity: LogIdentity, name: string): Checkpoint {
  return nodeCheckpoint(runSync(checkpointSignature(note, identity.publicKey, identity.keyHint, name)));
}
