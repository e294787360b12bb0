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

/**
 * The steps of the last inclusion proof that verified in a tree, for the next proof in the same tree
 * (an auditor verifies every entry of a log against one checkpoint): where the next proof's path
 * reaches a step of this one in the same state (the same node, the same hash) and the rest of both
 * proofs is the same, the rest of its computation is this one's, which reached the root. Stopping
 * there gives exactly the answer computing every step gives (hashing is a function); neighbouring
 * entries share all but their lowest steps, so most of their hashing is saved.
 */
export class InclusionMemo {
  size = -1;
  root: Uint8Array = new Uint8Array(0);
  proof: readonly Uint8Array[] = [];
  /** After step i: the state (fn, sn) and the hash computed so far. */
  fn: number[] = [];
  sn: number[] = [];
  node: Uint8Array[] = [];

  /** Does the computation after step `i` (state fn, sn, r) of `proof` continue as the remembered proof's did? */
  joins(i: number, fn: number, sn: number, r: Uint8Array, size: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
    if (this.size !== size || this.fn[i] !== fn || this.sn[i] !== sn || proof.length !== this.proof.length || !bytesEqual(this.node[i]!, r) || !bytesEqual(this.root, root)) return false;
    for (let j = i + 1; j < proof.length; j++) if (proof[j] !== this.proof[j] && !bytesEqual(proof[j]!, this.proof[j]!)) return false;
    return true;
  }

  /** Remembers a proof that verified, whose steps up to `upTo` were computed (the rest are the remembered ones). */
  remember(size: number, root: Uint8Array, proof: readonly Uint8Array[], fn: readonly number[], sn: readonly number[], node: readonly Uint8Array[], upTo: number): void {
    if (this.size !== size || !bytesEqual(this.root, root)) {
      this.size = size;
      this.root = root;
    }
    this.proof = proof;
    for (let i = 0; i <= upTo && i < fn.length; i++) {
      this.fn[i] = fn[i]!;
      this.sn[i] = sn[i]!;
      this.node[i] = node[i]!;
    }
    this.fn.length = this.sn.length = this.node.length = proof.length;
  }
}

/**
 * RFC 9162 §2.1.3.2: does `proof` show the leaf `leaf` at `index` in the tree of `size` with `root`?
 * With `memo`, the steps where the path joins the last proof that verified in this tree are not
 * hashed again (see InclusionMemo); the answer is the same.
 */
export function* inclusionProof<K>(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array, memo?: InclusionMemo): CryptoProgram<boolean, K> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  const steps = memo === undefined ? undefined : { fn: [] as number[], sn: [] as number[], node: [] as Uint8Array[] };
  for (let i = 0; i < proof.length; i++) {
    const c = proof[i]!;
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
    if (memo !== undefined && steps !== undefined) {
      steps.fn.push(fn);
      steps.sn.push(sn);
      steps.node.push(r);
      if (memo.joins(i, fn, sn, r, size, proof, root)) {
        memo.remember(size, root, proof, steps.fn, steps.sn, steps.node, i);
        return true;
      }
    }
  }
  const reached = sn === 0 && bytesEqual(r, root);
  if (reached && memo !== undefined && steps !== undefined) memo.remember(size, root, proof, steps.fn, steps.sn, steps.node, proof.length - 1);
  return reached;
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
