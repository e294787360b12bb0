import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, leafHash, nodeHash, verifyConsistency, verifyInclusion } from "../../src/tlog/merkle.js";
import { InclusionMemo, inclusionProof } from "../../src/tlog/merkle-proof.js";
import { ProofBuilder, type SubtreeSource } from "../../src/tlog/proofs.js";
import { checkInclusion } from "../../src/tlog/verify-entry.js";
import { toHex } from "../../src/util/bytes.js";
import { prng } from "../helpers/random.js";

/** MTH written straight from RFC 6962 §2.1 (recursive, no stored subtrees): the independent reference. */
function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return createHash("sha256").digest();
  if (leaves.length === 1) return leafHash(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

function sourceOf(leaves: Uint8Array[]): SubtreeSource {
  return { subtree: (level, index) => mth(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level)) };
}

const leaves = Array.from({ length: 71 }, (_, i) => new TextEncoder().encode(`entry ${i}`));

describe("Merkle proofs", () => {
  it("the empty tree's root is SHA-256 of nothing", () => expect(EMPTY_ROOT).toEqual(mth([])));

  it("roots of every size equal RFC 6962's recursive definition", () => {
    for (let n = 1; n <= 70; n++) expect(new ProofBuilder(sourceOf(leaves.slice(0, n))).root(n)).toEqual(mth(leaves.slice(0, n)));
  });

  it("every inclusion proof for sizes 1..70 verifies, and fails on any tampering", () => {
    for (let n = 1; n <= 70; n++) {
      const tree = leaves.slice(0, n);
      const builder = new ProofBuilder(sourceOf(tree));
      const root = mth(tree);
      for (let i = 0; i < n; i++) {
        const proof = builder.inclusion(i, n);
        expect(verifyInclusion(i, n, leafHash(tree[i]!), proof, root), `${i}/${n}`).toBe(true);
        if (proof.length) {
          const bad = proof.map((p) => Uint8Array.from(p));
          bad[i % bad.length]![0]! ^= 1;
          expect(verifyInclusion(i, n, leafHash(tree[i]!), bad, root)).toBe(false);
          expect(verifyInclusion(i, n, leafHash(tree[i]!), proof.slice(1), root)).toBe(false);
        }
        expect(verifyInclusion(i, n, leafHash(tree[i]!), proof, mth(leaves.slice(0, n + 1)))).toBe(false);
        expect(verifyInclusion(i, n, leafHash(leaves[n]!), proof, root)).toBe(false);
      }
    }
  });

  it("every consistency proof for 1 <= m <= n <= 70 verifies, and fails on tampering", () => {
    for (let n = 1; n <= 70; n++) {
      const builder = new ProofBuilder(sourceOf(leaves.slice(0, n)));
      for (let m = 1; m <= n; m++) {
        const proof = builder.consistency(m, n);
        const oldRoot = mth(leaves.slice(0, m));
        const newRoot = mth(leaves.slice(0, n));
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof), `${m}->${n}`).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, newRoot, newRoot, proof)).toBe(false);
          const bad = proof.map((p) => Uint8Array.from(p));
          bad[0]![31]! ^= 0x80;
          expect(verifyConsistency(m, n, oldRoot, newRoot, bad)).toBe(false);
          // The old root prepended for a power-of-two old size is not part of a valid proof.
          expect(verifyConsistency(m, n, oldRoot, newRoot, [oldRoot, ...proof])).toBe(false);
        }
      }
    }
  });

  it("edge cases of the verifiers", () => {
    expect(verifyConsistency(0, 5, EMPTY_ROOT, mth(leaves.slice(0, 5)), [])).toBe(true);
    expect(verifyConsistency(0, 5, EMPTY_ROOT, mth(leaves.slice(0, 5)), [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(6, 5, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(false);
    expect(verifyInclusion(-1, 5, EMPTY_ROOT, [], EMPTY_ROOT)).toBe(false);
    expect(verifyInclusion(0, 1, leafHash(leaves[0]!), [], mth(leaves.slice(0, 1)))).toBe(true);
  });
});

describe("inclusion proof against a checkpoint", () => {
  // A proof valid for the tree of 5 leaves; the checkpoints below are built from the RFC 6962
  // reference root (mth), not from the code under test.
  const tree = leaves.slice(0, 5);
  const index = 2;
  const proof = {
    logIndex: index,
    treeSize: 5,
    rootHash: toHex(mth(tree)),
    hashes: new ProofBuilder(sourceOf(tree)).inclusion(index, 5).map(toHex),
    checkpoint: "",
  };
  const checkpoint = (size: number, root: Uint8Array) => ({ origin: "reftrail.test - 1", size, rootHash: root, extensions: [] });

  it("passes when the checkpoint states the proof's tree size and root", () => {
    expect(() => checkInclusion(proof, leafHash(tree[index]!), checkpoint(5, mth(tree)))).not.toThrow();
  });

  it("fails when the checkpoint's tree size disagrees with the proof's, even with the same root", () => {
    // Without the size comparison this passes: the path is checked against the proof's own size
    // and the root alone, so a checkpoint could claim a tree the proof was never made for.
    for (const size of [4, 6, 1_000_000]) {
      expect(() => checkInclusion(proof, leafHash(tree[index]!), checkpoint(size, mth(tree))), `size ${size}`).toThrow(/tree size or root hash differs/);
    }
  });

  it("fails when the checkpoint's root disagrees with the proof's", () => {
    expect(() => checkInclusion(proof, leafHash(tree[index]!), checkpoint(5, mth(leaves.slice(0, 6))))).toThrow(/tree size or root hash differs/);
  });
});

describe("inclusion proofs checked one after another against one tree (InclusionMemo)", () => {
  /** The proof's answer and how many nodes were hashed for it, on the sync driver. */
  function run(i: number, n: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array, memo?: InclusionMemo): { ok: boolean; hashed: number } {
    const program = inclusionProof(i, n, leaf, proof, root, memo);
    let hashed = 0;
    let step = program.next();
    while (!step.done) {
      hashed++;
      const request = step.value;
      if (request.op !== "sha256") throw new Error("an inclusion proof only hashes");
      step = program.next(createHash("sha256").update(Buffer.concat(request.parts)).digest());
    }
    return { ok: step.value, hashed };
  }

  it("gives every answer computing every step gives, for valid and tampered proofs in any order, hashing less", () => {
    const random = prng(13);
    for (const n of [1, 2, 5, 16, 37, 70]) {
      const tree = leaves.slice(0, n);
      const builder = new ProofBuilder(sourceOf(tree));
      const root = mth(tree);
      const cases: { i: number; leaf: Uint8Array; proof: Uint8Array[]; root: Uint8Array }[] = [];
      for (let i = n - 1; i >= 0; i--) {
        const proof = builder.inclusion(i, n);
        cases.push({ i, leaf: leafHash(tree[i]!), proof, root });
        // Each step of the proof tampered on its own, the leaf and the root too: the memo must not carry any past its own step.
        for (let k = 0; k < proof.length; k++) {
          const bad = proof.map((p) => Uint8Array.from(p));
          bad[k]![31]! ^= 1;
          cases.push({ i, leaf: leafHash(tree[i]!), proof: bad, root });
        }
        cases.push({ i, leaf: leafHash(new TextEncoder().encode("another")), proof, root });
        cases.push({ i, leaf: leafHash(tree[i]!), proof, root: mth(leaves.slice(0, n + 1)) });
        if (proof.length > 0) cases.push({ i, leaf: leafHash(tree[i]!), proof: proof.slice(0, -1), root });
        cases.push({ i: (i + 1) % n, leaf: leafHash(tree[i]!), proof, root });
      }
      // Newest first as the history reads, and shuffled.
      const shuffled = [...cases].sort(() => random() - 0.5);
      for (const order of [cases, shuffled]) {
        const memo = new InclusionMemo();
        let plain = 0;
        let memoised = 0;
        for (const c of order) {
          const alone = run(c.i, n, c.leaf, c.proof, c.root);
          const withMemo = run(c.i, n, c.leaf, c.proof, c.root, memo);
          expect(withMemo.ok, `${c.i}/${n}`).toBe(alone.ok);
          plain += alone.hashed;
          memoised += withMemo.hashed;
        }
        expect(memoised).toBeLessThanOrEqual(plain);
      }
      // The valid proofs alone, newest first as an audit reads a log: neighbours share their upper steps.
      const memo = new InclusionMemo();
      let plain = 0;
      let memoised = 0;
      for (let i = n - 1; i >= 0; i--) {
        const proof = builder.inclusion(i, n);
        plain += run(i, n, leafHash(tree[i]!), proof, root).hashed;
        const withMemo = run(i, n, leafHash(tree[i]!), proof, root, memo);
        expect(withMemo.ok).toBe(true);
        memoised += withMemo.hashed;
      }
      if (n >= 16) expect(memoised).toBeLessThan(plain / 2);
    }
  });
});
