import { bytesEqual } from "../util/bytes.js";
import { verifySignature, type CryptoProgram } from "../util/crypto-program.js";
import { base64Of, bytesOfBase64, bytesOfBase64Loosely, utf8Bytes } from "../util/encoding.js";
import { TlogError } from "./errors.js";
import { HASH_SIZE } from "./merkle-proof.js";

/**
 * Signed checkpoints (C2SP signed-note / tlog-checkpoint) as Rekor v1 writes them:
 *   <name> - <tree id>\n<size>\n<base64 root>\n[<extension>\n]*\n— <name> <base64(key hint ‖ DER signature)>\n
 * The signature covers the text up to and including the newline before the blank line. Parsing
 * and the signature check are written once here (no node: imports) for the CLI and the browser.
 */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly extensions: readonly string[];
}

export const EM_DASH = "\u2014";

export function checkpointBody(c: Checkpoint): string {
  return [c.origin, String(c.size), base64Of(c.rootHash), ...c.extensions].join("\n") + "\n";
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
  const rootHash = bytesOfBase64(rootText);
  if (rootHash === undefined || rootHash.byteLength !== HASH_SIZE) {
    throw new TlogError("CHECKPOINT_FORMAT", "checkpoint root hash is not the standard base64 of 32 bytes");
  }
  const signatures = note
    .slice(split + 2, -1)
    .split("\n")
    .map((line) => {
      const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
      if (!m) throw new TlogError("CHECKPOINT_FORMAT", "checkpoint signature line is not '— <name> <base64>'");
      // Read as leniently as ever: a wrong blob fails the signature check, not the format.
      return { name: m[1]!, blob: bytesOfBase64Loosely(m[2]!) };
    });
  return { checkpoint: { origin, size: Number(sizeText), rootHash, extensions }, body, signatures };
}

/**
 * Verifies a checkpoint signed with `key` (hint `keyHint`, the first 4 bytes of the logID) under
 * `name`: some signature line with that name and hint must verify over the note body. Returns the
 * parsed checkpoint; throws CHECKPOINT_FORMAT / CHECKPOINT_SIGNATURE.
 */
export function* checkpointSignature<K>(note: string, key: K, keyHint: Uint8Array, name: string): CryptoProgram<Checkpoint, K> {
  const { checkpoint, body, signatures } = parseCheckpoint(note);
  const candidates = signatures.filter((s) => s.name === name && s.blob.byteLength > 4 && bytesEqual(s.blob.subarray(0, 4), keyHint));
  if (candidates.length === 0) throw new TlogError("CHECKPOINT_SIGNATURE", `checkpoint has no signature by '${name}' with the log key's hint`);
  const signed = utf8Bytes(body);
  for (const s of candidates) {
    if (yield* verifySignature(key, signed, s.blob.subarray(4))) return checkpoint;
  }
  throw new TlogError("CHECKPOINT_SIGNATURE", "checkpoint signature does not verify with the log key");
}

/** Rekor v1 origins are `<name> - <tree id>`. */
export function checkpointOrigin(name: string, treeId: bigint): string {
  return `${name} - ${treeId}`;
}
