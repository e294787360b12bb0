import { createHash } from "node:crypto";
import { runSync } from "../util/async-crypto.js";
import { consistencyProof, inclusionProof } from "./merkle-proof.js";

/**
 * RFC 6962 / RFC 9162 Merkle tree hashing on node:crypto (the embedded log builds its trees with
 * these) and the synchronous drivers of the proof checks written once in merkle-proof.ts.
 */
export { HASH_SIZE, isPowerOfTwo, splitPoint } from "./merkle-proof.js";

export function leafHash(data: Uint8Array): Uint8Array {
  return createHash("sha256").update(Uint8Array.of(0)).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash("sha256").update(Uint8Array.of(1)).update(left).update(right).digest();
}

export const EMPTY_ROOT: Uint8Array = createHash("sha256").digest();

/** RFC 9162 §2.1.3.2: does `proof` show the leaf `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  return runSync(inclusionProof(index, size, leaf, proof, root));
}

/** RFC 9162 §2.1.4.2: is the tree of `oldSize` with `oldRoot` a prefix of the tree of `newSize` with `newRoot`? */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  return runSync(consistencyProof(oldSize, newSize, oldRoot, newRoot, proof));
}
