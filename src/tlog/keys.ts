import { createHash, createPublicKey, type KeyObject } from "node:crypto";
import { spkiDer } from "../keys/component-keys.js";
import { toHex } from "../util/bytes.js";
import { TlogError } from "./errors.js";

/** A log's identity: its public key, and the ids Rekor derives from it. */
export interface LogIdentity {
  readonly publicKey: KeyObject;
  /** SHA-256 of the SPKI DER, lower-case hex (Rekor's logID). */
  readonly logId: string;
  /** The first 4 bytes of the logID: the signed-note key hint. */
  readonly keyHint: Uint8Array;
}

export function logIdentity(publicKey: KeyObject): LogIdentity {
  if (publicKey.type !== "public") throw new TlogError("LOG_KEY", "a log identity is built from a public key");
  const id = createHash("sha256").update(spkiDer(publicKey)).digest();
  return { publicKey, logId: toHex(id), keyHint: id.subarray(0, 4) };
}

/**
 * A log's public key from PEM: exactly one SPKI block labelled PUBLIC KEY and nothing around it.
 * createPublicKey alone is too lenient for a trust anchor: given a private key it derives the
 * public half (so a log's private key file would be accepted, and then copied around, as its
 * public key), and it ignores whatever follows the first block.
 */
export function publicKeyFromPem(pem: string | Uint8Array): KeyObject {
  const text = typeof pem === "string" ? pem : Buffer.from(pem).toString("utf8");
  const labels = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);
  if (labels.some((label) => label.includes("PRIVATE"))) {
    throw new TlogError("LOG_KEY", "holds a private key: give the log's public key (one PEM block labelled PUBLIC KEY)");
  }
  const block = /^\s*(-----BEGIN PUBLIC KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PUBLIC KEY-----)\s*$/.exec(text)?.[1];
  if (block === undefined) throw new TlogError("LOG_KEY", `is not exactly one PEM block labelled PUBLIC KEY${labels.length ? ` (found ${labels.join(", ")})` : ""}`);
  try {
    return createPublicKey(block);
  } catch {
    throw new TlogError("LOG_KEY", "its PUBLIC KEY block is not a valid SPKI public key");
  }
}

/** A log a verifier trusts (and a publisher checks the entries it gets back against). */
export interface TrustedLogKey {
  readonly identity: LogIdentity;
  /** The log's host name, as checkpoints are signed; unknown when only a key was given. */
  readonly name?: string;
  /** When the log key was in use (trusted roots say so), ns since the epoch, inclusive. */
  readonly validFor?: { readonly start?: bigint; readonly end?: bigint };
  readonly source: string;
}
