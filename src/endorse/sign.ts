import type { KeyObject } from "node:crypto";
import { p256 } from "@noble/curves/nist.js";
import { verifyStatementSignature } from "../keys/signature.js";
import { EndorseError } from "./errors.js";

/**
 * ECDSA P-256 / SHA-256 over the exact statement bytes, DER-encoded (what Oak and openssl dgst
 * produce), with the nonce derived from the key and the statement (RFC 6979). The same statement and
 * key always give the same signature, so a release pipeline that signed and logged and then lost its
 * files (a crashed runner) signs the very same entry again, and the log answers that it already holds
 * it (409) instead of taking a second entry for one endorsement.
 */
export function signStatement(statement: Uint8Array, privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  const jwk = privateKey.export({ format: "jwk" });
  if (jwk.crv !== "P-256" || typeof jwk.d !== "string") throw new EndorseError("ENDORSEMENT_INVALID", "the signing key is not a P-256 private key");
  const signature = p256.sign(statement, Buffer.from(jwk.d, "base64url"), { prehash: true, lowS: true, format: "der" });
  // A signature that does not verify must never leave this process (a wrong key pair, a broken engine).
  if (!verifyStatementSignature(statement, signature, publicKey)) throw new EndorseError("ENDORSEMENT_INVALID", "the new signature does not verify with the public key");
  return signature;
}
