import { createHash, createPublicKey, type KeyObject } from "node:crypto";
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

/**
 * SPKI DER with EC points uncompressed, whatever form the key was read in: ids derived from it (a
 * log's logID, a key id) must not depend on how a PEM happened to encode the point.
 */
export function spkiDer(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== "ec") return key.export({ format: "der", type: "spki" });
  return createPublicKey({ key: key.export({ format: "jwk" }), format: "jwk" }).export({ format: "der", type: "spki" });
}

export function logIdentity(publicKey: KeyObject): LogIdentity {
  if (publicKey.type !== "public") throw new TlogError("LOG_KEY", "a log identity is built from a public key");
  const id = createHash("sha256").update(spkiDer(publicKey)).digest();
  return { publicKey, logId: toHex(id), keyHint: id.subarray(0, 4) };
}

export function publicKeyFromPem(pem: string | Uint8Array): KeyObject {
  try {
    return createPublicKey(typeof pem === "string" ? pem : Buffer.from(pem));
  } catch {
    throw new TlogError("LOG_KEY", "not a PEM public key");
  }
}
