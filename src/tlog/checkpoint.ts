import { sign, verify, type KeyObject } from "node:crypto";
import { bytesEqual } from "../util/bytes.js";
import { TlogError } from "./errors.js";
import { HASH_SIZE } from "./merkle.js";
import type { LogIdentity } from "./keys.js";

/**
 * Signed checkpoints (C2SP signed-note / tlog-checkpoint) as Rekor v1 writes them:
 *   <name> - <tree id>\n<size>\n<base64 root>\n[<extension>\n]*\n— <name> <base64(key hint ‖ DER signature)>\n
 * The signature covers the text up to and including the newline before the blank line.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions: readonly string[];
}

const EM_DASH = "\u2014";

export function checkpointBody(c: Checkpoint): string {
  return [c.origin, String(c.size), Buffer.from(c.rootHash).toString("base64"), ...c.extensions].join("\n") + "\n";
}

/** Signs a checkpoint with an ECDSA log key, naming the signer `name` (the log's host name). */
export function signCheckpoint(c: Checkpoint, name: string, privateKey: KeyObject, identity: LogIdentity): string {
  const body = checkpointBody(c);
  const signature = sign("sha256", Buffer.from(body), privateKey);
  const blob = Buffer.concat([identity.keyHint, signature]).toString("base64");
  return `${body}\n${EM_DASH} ${name} ${blob}\n`;
}

/** Parses a note without checking signatures. */
export function parseCheckpoint(note: string): { checkpoint: Checkpoint; body: string; signatures: { name: string; blob: Uint8Array }[] } {
  const split = note.indexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new TlogError("CHECKPOINT_FORMAT", "checkpoint is not a signed note (no blank line before the signatures, or no final newline)");
  const body = note.slice(0, split + 1);
  const lines = body.slice(0, -1).split("\n");
  if (lines.length < 3) throw new TlogError("CHECKPOINT_FORMAT", "checkpoint needs an origin, a tree size and a root hash line");
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new TlogError("CHECKPOINT_FORMAT", `checkpoint tree size '${sizeText}' is not a decimal integer`);
  }
  const rootHash = Buffer.from(rootText, "base64");
  if (rootHash.byteLength !== HASH_SIZE || rootHash.toString("base64") !== rootText) {
    throw new TlogError("CHECKPOINT_FORMAT", "checkpoint root hash is not the standard base64 of 32 bytes");
  }
  const signatures = note
    .slice(split + 2, -1)
    .split("\n")
    .map((line) => {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
      if (!m) throw new TlogError("CHECKPOINT_FORMAT", "checkpoint signature line is not '— <name> <base64>'");
      return { name: m[1]!, blob: new Uint8Array(Buffer.from(m[2]!, "base64")) };
    });
  return { checkpoint: { origin, size: Number(sizeText), rootHash, extensions }, body, signatures };
}

/**
 * Verifies a checkpoint signed by the log `identity` under `name`: some signature line with that
 * name and the key's hint must verify over the note body. Returns the parsed checkpoint.
 */
export function verifyCheckpoint(note: string, identity: LogIdentity, name: string): Checkpoint {
  const { checkpoint, body, signatures } = parseCheckpoint(note);
  const candidates = signatures.filter((s) => s.name === name && s.blob.byteLength > 4 && bytesEqual(s.blob.subarray(0, 4), identity.keyHint));
  if (candidates.length === 0) throw new TlogError("CHECKPOINT_SIGNATURE", `checkpoint has no signature by '${name}' with the log key's hint`);
  const ok = candidates.some((s) => {
    try {
      return verify("sha256", Buffer.from(body), identity.publicKey, s.blob.subarray(4));
    } catch {
      return false;
    }
  });
  if (!ok) throw new TlogError("CHECKPOINT_SIGNATURE", "checkpoint signature does not verify with the log key");
  return checkpoint;
}

/** Rekor v1 origins are `<name> - <tree id>`. */
export function checkpointOrigin(name: string, treeId: bigint): string {
  return `${name} - ${treeId}`;
}
