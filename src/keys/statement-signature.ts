import { verifySignature, type CryptoProgram } from "../util/crypto-program.js";
import { parseEcdsaDer } from "../util/ecdsa-der.js";

/**
 * The statement signature: ECDSA P-256 / SHA-256 over the exact statement bytes, DER-encoded (what
 * Oak and openssl dgst produce). Written once over the crypto-program operations: signature.ts
 * runs it on node:crypto, the browser viewer on WebCrypto.
 */
export function* statementSignature<K>(statement: Uint8Array, signature: Uint8Array, publicKey: K): CryptoProgram<boolean, K> {
  if (parseEcdsaDer(signature) === undefined) return false;
  return yield* verifySignature(publicKey, statement, signature);
}
