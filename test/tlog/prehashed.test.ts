import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PREHASHED_BACKEND, verifyPrehashed } from "../../src/tlog/prehashed.js";

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
