import { bytesEqual } from "../util/bytes.js";
import { digestAnswer, sha256, type CryptoProgram, type Sha256Request } from "../util/crypto-program.js";

/**
 * RFC 6962 / RFC 9162 Merkle proof verification, written once over the crypto-program operations
 * (run on node:crypto by merkle.ts, on WebCrypto by the browser viewer). Tree sizes and indexes are
 * plain numbers but never go through JavaScript's 32-bit bitwise operators: public logs exceed
 * 2^31 entries, so halving is Math.floor(x / 2) and parity is x % 2.
 */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Uint8Array.of(0);
const NODE_PREFIX = Uint8Array.of(1);

export const leafHashOf = (data: Uint8Array) => sha256(LEAF_PREFIX, data);
/** The request for an interior node's hash: yielded directly (answer read by digestAnswer), the proofs' inner loop. */
const nodeHashRequest = (left: Uint8Array, right: Uint8Array): Sha256Request => ({ op: "sha256", parts: [NODE_PREFIX, left, right] });

const half = (x: number) => Math.floor(x / 2);
const odd = (x: number) => x % 2 === 1;

/** The largest power of two strictly below n (n > 1): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  let x = n;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}

/** RFC 9162 §2.1.3.2: does `proof` show the leaf `leaf` at `index` in the tree of `size` with `root`? */
export function* inclusionProof<K>(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): CryptoProgram<boolean, K> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const c of proof) {
    if (c.byteLength !== HASH_SIZE || sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = digestAnswer(yield nodeHashRequest(c, r));
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = digestAnswer(yield nodeHashRequest(r, c));
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && bytesEqual(r, root);
}

/** RFC 9162 §2.1.4.2: is the tree of `oldSize` with `oldRoot` a prefix of the tree of `newSize` with `newRoot`? */
export function* consistencyProof<K>(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): CryptoProgram<boolean, K> {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0 || oldSize > newSize) return false;
  if (proof.some((p) => p.byteLength !== HASH_SIZE)) return false;
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = digestAnswer(yield nodeHashRequest(c, fr));
      sr = digestAnswer(yield nodeHashRequest(c, sr));
      if (!odd(fn)) {
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = digestAnswer(yield nodeHashRequest(sr, c));
    }
    fn = half(fn);
    sn = half(sn);
  }
  return bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot) && sn === 0;
}
