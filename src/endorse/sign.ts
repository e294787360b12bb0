import { sign, type KeyObject } from "node:crypto";
import { verifyStatementSignature } from "../keys/signature.js";
import { EndorseError } from "./errors.js";

/** ECDSA P-256 / SHA-256 over the exact statement bytes, DER-encoded (what Oak and openssl dgst produce). */
export function signStatement(statement: Uint8Array, privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  const signature = sign("sha256", statement, privateKey);
  // A signature that does not verify must never leave this process (a wrong key pair, a broken engine).
  if (!verifyStatementSignature(statement, signature, publicKey)) throw new EndorseError("ENDORSEMENT_INVALID", "the new signature does not verify with the public key");
  return signature;
}
