import { isPowerOfTwo, nodeHash, splitPoint, EMPTY_ROOT } from "./merkle.js";

/**
 * Where the hashes of complete subtrees come from: a subtree of 2^level leaves starting at leaf
 * index * 2^level. Level 0 is the leaf hash. Stores keep exactly these, so any root or proof needs
 * O(log n) lookups and nothing proportional to the log's size is held in memory.
 */
export interface SubtreeSource {
  subtree(level: number, index: number): Uint8Array;
}

/** Ranges remembered per builder; the bound keeps memory flat however many proofs one builder serves. */
const MEMO_LIMIT = 65536;

/**
 * Proof construction (RFC 6962 §2.1.1-2.1.2) over a subtree source. Range hashes are memoised: the
 * steps of one proof share right-edge ranges, and proofs for neighbouring entries share subtrees.
 */
export class ProofBuilder {
  private readonly memo = new Map<string, Uint8Array>();

  constructor(private readonly source: SubtreeSource) {}

  /** MTH(D[start:end]); a complete aligned range is one stored subtree, a right edge is split as RFC 6962 does. */
  rangeHash(start: number, end: number): Uint8Array {
    const size = end - start;
    if (size === 0) return EMPTY_ROOT;
    const key = `${start}:${end}`;
    let h = this.memo.get(key);
    if (h !== undefined) return h;
    if (isPowerOfTwo(size) && start % size === 0) {
      h = this.source.subtree(Math.log2(size), start / size);
    } else {
      const k = splitPoint(size);
      h = nodeHash(this.rangeHash(start, start + k), this.rangeHash(start + k, end));
    }
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(key, h);
    return h;
  }

  /** Leaf hashes the caller read anyway (a range of entries), so their proofs need not read them again. */
  knownLeaf(index: number, leaf: Uint8Array): void {
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(`${index}:${index + 1}`, leaf);
  }

  root(size: number): Uint8Array {
    return this.rangeHash(0, size);
  }

  /** PATH(m, D[0:n]), leaf to root. */
  inclusion(index: number, size: number): Uint8Array[] {
    const path: Uint8Array[] = [];
    let start = 0;
    let end = size;
    while (end - start > 1) {
      const k = splitPoint(end - start);
      if (index < start + k) {
        path.push(this.rangeHash(start + k, end));
        end = start + k;
      } else {
        path.push(this.rangeHash(start, start + k));
        start += k;
      }
    }
    return path.reverse();
  }

  /** PROOF(m, D[0:n]) (RFC 6962 §2.1.2): SUBPROOF(m, D[0:n], true). */
  consistency(oldSize: number, newSize: number): Uint8Array[] {
    if (oldSize === newSize || oldSize === 0) return [];
    const proof: Uint8Array[] = [];
    // Iterative SUBPROOF: descend towards the old tree's right edge, collecting sibling ranges.
    let start = 0;
    let end = newSize;
    let m = oldSize;
    let complete = true;
    while (end !== m) {
      const k = splitPoint(end - start);
      if (m - start <= k) {
        proof.push(this.rangeHash(start + k, end));
        end = start + k;
      } else {
        proof.push(this.rangeHash(start, start + k));
        start += k;
        complete = false;
      }
    }
    if (!complete) proof.push(this.rangeHash(start, end));
    return proof.reverse();
  }
}
