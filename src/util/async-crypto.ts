import { createHash, createPublicKey, hash, verify, type KeyObject } from "node:crypto";
import { parseEcdsaDer } from "./ecdsa-der.js";
import type { AsyncCrypto, CryptoAnswer, CryptoProgram } from "./crypto-program.js";

export type { AsyncCrypto } from "./crypto-program.js";
export { runCryptoProgram } from "./crypto-program.js";

/**
 * The node:crypto drivers of the verification programs (util/crypto-program.ts): runSync for the
 * existing synchronous API (keys as KeyObjects, exactly the node:crypto calls it always made), and
 * nodeAsyncCrypto, the AsyncCrypto a test or a Node caller sets beside the browser's.
 */

/** Where small parts are joined for one-shot hashing (crypto.hash skips a Hash object per node). */
let scratch = Buffer.allocUnsafe(256);

function hashParts(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return hash("sha256", parts[0]!, "buffer");
  let length = 0;
  for (const p of parts) length += p.byteLength;
  if (length > 4096) {
    const h = createHash("sha256");
    for (const p of parts) h.update(p);
    return h.digest();
  }
  if (scratch.byteLength < length) scratch = Buffer.allocUnsafe(length);
  let at = 0;
  for (const p of parts) {
    scratch.set(p, at);
    at += p.byteLength;
  }
  return hash("sha256", scratch.subarray(0, length), "buffer");
}

function verifyQuietly(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify("sha256", data, key, signature);
  } catch {
    return false;
  }
}

/** Runs a verification program synchronously on node:crypto. */
export function runSync<T>(program: CryptoProgram<T, KeyObject>): T {
  let step = program.next();
  while (!step.done) {
    const request = step.value;
    const answer: CryptoAnswer = request.op === "sha256" ? hashParts(request.parts) : verifyQuietly(request.key, request.data, request.signature);
    step = program.next(answer);
  }
  return step.value;
}

/** A P-256 public key from SPKI DER, or undefined for anything else (the browser's WebCrypto takes no other curve). */
function p256Key(spkiDer: Uint8Array): KeyObject | undefined {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiDer), format: "der", type: "spki" });
    return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1" ? key : undefined;
  } catch {
    return undefined;
  }
}

export const nodeAsyncCrypto: AsyncCrypto = {
  sha256: (data) => Promise.resolve(hashParts([data])),
  verifyEcdsa: (spkiDer, data, signatureDer) => {
    const key = p256Key(spkiDer);
    return Promise.resolve(key !== undefined && parseEcdsaDer(signatureDer) !== undefined && verifyQuietly(key, data, signatureDer));
  },
};
