import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PrehashedBatcher } from "../../src/tlog/prehashed-batch.js";
import { PREHASHED_BACKEND, verificationKey, verifyPrehashed, verifyPrehashedBatch } from "../../src/tlog/prehashed.js";

const message = Buffer.from("release artifact");
const ec = (namedCurve: string) => () => generateKeyPairSync("ec", { namedCurve });
const rsa = () => generateKeyPairSync("rsa", { modulusLength: 2048 });
const keys = [
  { name: "ECDSA P-256", make: ec("P-256"), hash: "sha256" },
  { name: "ECDSA P-384", make: ec("P-384"), hash: "sha384" },
  { name: "ECDSA P-521", make: ec("P-521"), hash: "sha512" },
  { name: "RSA 2048 PKCS#1 v1.5", make: rsa, hash: "sha256" },
] as const;

describe("signatures over a bare digest", () => {
  it("the native OpenSSL module is built here (npm run build)", () => expect(PREHASHED_BACKEND).toBe("openssl"));
  for (const { name, make, hash } of keys) {
    const pair = make();
    for (const backend of ["openssl", "noble"] as const) {
      it(`${name} via ${backend}: valid, wrong digest, wrong key, damaged signature`, () => {
        const signature = sign(hash, message, pair.privateKey);
        const digest = createHash(hash).update(message).digest();
        expect(verifyPrehashed(pair.publicKey, digest, signature, backend)).toBe("valid");
        expect(verifyPrehashed(pair.publicKey, createHash(hash).update("other").digest(), signature, backend)).toBe("invalid");
        expect(verifyPrehashed(make().publicKey, digest, signature, backend)).toBe("invalid");
        const damaged = Buffer.from(signature);
        damaged[damaged.length - 3]! ^= 0x40;
        expect(verifyPrehashed(pair.publicKey, digest, damaged, backend)).toBe("invalid");
        expect(verifyPrehashed(pair.publicKey, digest, Buffer.from("not DER"), backend)).toBe("invalid");
      });
    }
  }
  it("Ed25519 cannot sign a bare digest: unsupported", () => {
    const { publicKey } = generateKeyPairSync("ed25519");
    expect(verifyPrehashed(publicKey, Buffer.alloc(32), Buffer.alloc(64))).toBe("unsupported-key");
  });
});

describe("signatures over a bare digest, in batches (on the thread pool where the native module is built)", () => {
  const p256 = ec("P-256")();
  const p384 = ec("P-384")();
  const signer = rsa();
  const other = ec("P-256")();
  const digest = createHash("sha256").update(message).digest();
  const signature = sign("sha256", message, p256.privateKey);
  const damaged = Buffer.from(signature);
  damaged[damaged.length - 3]! ^= 0x40;
  // Every kind of answer, mixed in one batch: each must be the one verifyPrehashed gives alone.
  const requests = [
    { key: verificationKey(p256.publicKey), digest, signature },
    { key: verificationKey(p256.publicKey), digest: createHash("sha256").update("other").digest(), signature },
    { key: verificationKey(other.publicKey), digest, signature },
    { key: verificationKey(p256.publicKey), digest, signature: damaged },
    { key: verificationKey(p256.publicKey), digest, signature: Buffer.from("not DER") },
    { key: verificationKey(p256.publicKey), digest: createHash("sha512").update(message).digest(), signature },
    { key: verificationKey(p384.publicKey), digest: createHash("sha384").update(message).digest(), signature: sign("sha384", message, p384.privateKey) },
    { key: verificationKey(signer.publicKey), digest, signature: sign("sha256", message, signer.privateKey) },
    { key: verificationKey(generateKeyPairSync("ed25519").publicKey), digest, signature: Buffer.alloc(64) },
  ];
  const expected = ["valid", "invalid", "invalid", "invalid", "invalid", "digest-too-long", "valid", "valid", "unsupported-key"];

  it("verifyPrehashedBatch answers each request as verifyPrehashed does", async () => {
    expect(requests.map((r) => verifyPrehashed(r.key, r.digest, r.signature))).toEqual(expected);
    expect(await verifyPrehashedBatch(requests)).toEqual(expected);
    expect(await verifyPrehashedBatch([])).toEqual([]);
  });

  it("the batcher hands each caller its own answer, however the requests fall into batches", async () => {
    for (const size of [1, 4, 100]) {
      const batcher = new PrehashedBatcher(size);
      const many = Array.from({ length: 5 }, () => requests).flat();
      expect(await Promise.all(many.map((r) => batcher.verify(r.key, r.digest, r.signature)))).toEqual(Array.from({ length: 5 }, () => expected).flat());
    }
  });
});
