import { sign, verify, type KeyObject } from "node:crypto";
import { parseEcdsaDer } from "../util/ecdsa-der.js";
import { EndorseError } from "./errors.js";

/** ECDSA P-256 / SHA-256 over the exact statement bytes, DER-encoded (what Oak and openssl dgst produce). */
export function signStatement(statement: Uint8Array, privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  const signature = sign("sha256", statement, privateKey);
  // A signature that does not verify must never leave this process (a wrong key pair, a broken engine).
  if (!verifyStatementSignature(statement, signature, publicKey)) throw new EndorseError("ENDORSEMENT_INVALID", "the new signature does not verify with the public key");
  return signature;
}

/** True iff `signature` is strict DER and verifies over `statement` with `publicKey`. */
export function verifyStatementSignature(statement: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  if (parseEcdsaDer(signature) === undefined) return false;
  try {
    return verify("sha256", statement, publicKey, signature);
  } catch {
    return false;
  }
}
