import { verify, type KeyObject } from "node:crypto";
import { parseEcdsaDer } from "../util/ecdsa-der.js";

/**
 * The statement signature: ECDSA P-256 / SHA-256 over the exact statement bytes, DER-encoded (what
 * Oak and openssl dgst produce). Endorsing makes it, publishing and verifying check it.
 */

/** True iff `signature` is strict DER and verifies over `statement` with `publicKey`. */
export function verifyStatementSignature(statement: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (parseEcdsaDer(signature) === undefined) return false;
  try {
    return verify("sha256", statement, publicKey, signature);
  } catch {
    return false;
  }
}
