import { concatBytes } from "./bytes.js";

/**
 * One verification algorithm, two drivers. The checks a verifier makes (Merkle proofs, signed
 * notes, SETs, statement signatures) are written once as generators that yield the cryptographic
 * operations they need; util/async-crypto.ts runs them synchronously on node:crypto (the CLI's hot
 * path), runCryptoProgram runs them on an AsyncCrypto (WebCrypto in the browser viewer). Neither
 * this module nor the algorithms import node: modules, so the browser bundle holds the same code.
 */

/** The cryptography the browser viewer needs, asynchronous as WebCrypto is. */
export interface AsyncCrypto {
  sha256(data: Uint8Array): Promise<Uint8Array>;
  /** ECDSA P-256 with SHA-256 over `data`; `signatureDer` strict DER; false (never a throw) when it does not verify. */
  verifyEcdsa(spkiDer: Uint8Array, data: Uint8Array, signatureDer: Uint8Array): Promise<boolean>;
}

export interface Sha256Request {
  readonly op: "sha256";
  /** Hashed as their concatenation (so the node driver need not copy them). */
  readonly parts: readonly Uint8Array[];
}

/** `key` is whatever the driver verifies with: a KeyObject in Node, SPKI DER for an AsyncCrypto. */
export interface VerifyRequest<K> {
  readonly op: "verify";
  readonly key: K;
  readonly data: Uint8Array;
  readonly signature: Uint8Array;
}

export type CryptoRequest<K> = Sha256Request | VerifyRequest<K>;
export type CryptoAnswer = Uint8Array | boolean;
export type CryptoProgram<T, K> = Generator<CryptoRequest<K>, T, CryptoAnswer>;

/** The digest a driver answered a sha256 request with (`yield` types its answer only as CryptoAnswer). */
export function digestAnswer(answer: CryptoAnswer): Uint8Array {
  if (!(answer instanceof Uint8Array)) throw new TypeError("crypto driver answered a sha256 request with a non-digest");
  return answer;
}

/** SHA-256 of the concatenated parts. */
export function* sha256(...parts: Uint8Array[]): Generator<Sha256Request, Uint8Array, CryptoAnswer> {
  return digestAnswer(yield { op: "sha256", parts });
}

/** Does `signature` verify over `data` (hashed with SHA-256) with `key`? */
export function* verifySignature<K>(key: K, data: Uint8Array, signature: Uint8Array): Generator<VerifyRequest<K>, boolean, CryptoAnswer> {
  const ok = yield { op: "verify", key, data, signature };
  if (typeof ok !== "boolean") throw new TypeError("crypto driver answered a verify request with a non-boolean");
  return ok;
}

/** Runs a program on an AsyncCrypto, keys as SPKI DER. A verify that throws counts as not verifying, as in the sync driver. */
export async function runCryptoProgram<T>(program: CryptoProgram<T, Uint8Array>, crypto: AsyncCrypto): Promise<T> {
  let step = program.next();
  while (!step.done) {
    const request = step.value;
    let answer: CryptoAnswer;
    if (request.op === "sha256") {
      answer = await crypto.sha256(request.parts.length === 1 ? request.parts[0]! : concatBytes(...request.parts));
    } else {
      try {
        answer = await crypto.verifyEcdsa(request.key, request.data, request.signature);
      } catch {
        answer = false;
      }
    }
    step = program.next(answer);
  }
  return step.value;
}
