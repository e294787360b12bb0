import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { webAsyncCrypto, webAsyncCryptoOf } from "../../src/audit/browser/web-crypto.js";
import { consistencyProof, inclusionProof } from "../../src/tlog/merkle-proof.js";
import { leafHash, nodeHash, verifyConsistency, verifyInclusion } from "../../src/tlog/merkle.js";
import { nodeAsyncCrypto, runCryptoProgram, runSync, type AsyncCrypto } from "../../src/util/async-crypto.js";

const spki = (key: KeyObject) => new Uint8Array(key.export({ type: "spki", format: "der" }));

/** The three AsyncCrypto implementations must answer alike. */
const CRYPTOS: [string, AsyncCrypto][] = [
  ["node:crypto", nodeAsyncCrypto],
  ["WebCrypto", webAsyncCrypto],
  ["@noble only (no crypto.subtle)", webAsyncCryptoOf(undefined)],
];

const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** The same signature with s replaced by n - s (valid too: OpenSSL, and so Rekor and node:crypto, accept it). */
function highS(der: Uint8Array): Uint8Array {
  const rLen = der[3]!;
  const r = der.subarray(4, 4 + rLen);
  const sLen = der[5 + rLen]!;
  const s = BigInt(`0x${Buffer.from(der.subarray(6 + rLen, 6 + rLen + sLen)).toString("hex")}`);
  let hex = (P256_N - s).toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let sBytes = Buffer.from(hex, "hex");
  if (sBytes[0]! & 0x80) sBytes = Buffer.concat([Buffer.of(0), sBytes]);
  const body = Buffer.concat([Buffer.of(2, rLen), r, Buffer.of(2, sBytes.length), sBytes]);
  return Buffer.concat([Buffer.of(0x30, body.length), body]);
}

describe("AsyncCrypto: node:crypto, WebCrypto and @noble agree", () => {
  const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const data = new TextEncoder().encode("the statement bytes");
  const signature = new Uint8Array(sign("sha256", data, p256.privateKey));

  for (const [name, crypto] of CRYPTOS) {
    it(`${name}: SHA-256 of the FIPS 180-2 vectors`, async () => {
      expect(Buffer.from(await crypto.sha256(new TextEncoder().encode("abc"))).toString("hex")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
      expect(Buffer.from(await crypto.sha256(new Uint8Array(0))).toString("hex")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    });

    it(`${name}: ECDSA P-256 verifies a good signature, a high-S one, and nothing else`, async () => {
      const v = (key: Uint8Array, d: Uint8Array, sig: Uint8Array) => crypto.verifyEcdsa(key, d, sig);
      expect(await v(spki(p256.publicKey), data, signature)).toBe(true);
      expect(await v(spki(p256.publicKey), data, highS(signature))).toBe(true);
      const flipped = Uint8Array.from(data);
      flipped[0]! ^= 1;
      expect(await v(spki(p256.publicKey), flipped, signature)).toBe(false);
      const badSig = Uint8Array.from(signature);
      badSig[badSig.length - 1]! ^= 1;
      expect(await v(spki(p256.publicKey), data, badSig)).toBe(false);
      expect(await v(spki(other.publicKey), data, signature)).toBe(false);
      // Not DER (IEEE P1363 r‖s), truncated DER, not a P-256 key, not a key at all: false, never a throw.
      const p1363 = new Uint8Array(sign("sha256", data, { key: p256.privateKey, dsaEncoding: "ieee-p1363" }));
      expect(await v(spki(p256.publicKey), data, p1363)).toBe(false);
      expect(await v(spki(p256.publicKey), data, signature.subarray(0, signature.length - 1))).toBe(false);
      expect(await v(spki(p384.publicKey), data, new Uint8Array(sign("sha256", data, p384.privateKey)))).toBe(false);
      expect(await v(new Uint8Array([1, 2, 3]), data, signature)).toBe(false);
    });
  }
});

describe("webAsyncCrypto falls back to @noble where WebCrypto refuses", () => {
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const data = new TextEncoder().encode("signed");
  const signature = new Uint8Array(sign("sha256", data, pair.privateKey));
  const subtle = globalThis.crypto.subtle;
  type Subtle = typeof subtle;

  it("a subtle that throws on import, verify and digest: @noble answers, correctly both ways", async () => {
    const refusing = { importKey: () => Promise.reject(new Error("refused")), verify: () => Promise.reject(new Error("refused")), digest: () => Promise.reject(new Error("refused")) } as unknown as Subtle;
    const crypto = webAsyncCryptoOf(refusing);
    expect(await crypto.verifyEcdsa(spki(pair.publicKey), data, signature)).toBe(true);
    expect(await crypto.verifyEcdsa(spki(pair.publicKey), data, highS(signature))).toBe(true);
    expect(await crypto.verifyEcdsa(spki(pair.publicKey), Uint8Array.of(1), signature)).toBe(false);
    expect(Buffer.from(await crypto.sha256(data))).toEqual(createHash("sha256").update(data).digest());
  });

  it("a subtle that insists on low S: @noble decides high-S signatures only", async () => {
    const lowSOnly = { importKey: subtle.importKey.bind(subtle), verify: (...args: Parameters<Subtle["verify"]>) => (isHighS(args[2] as Uint8Array) ? Promise.resolve(false) : subtle.verify(...args)), digest: subtle.digest.bind(subtle) } as unknown as Subtle;
    const crypto = webAsyncCryptoOf(lowSOnly);
    expect(await crypto.verifyEcdsa(spki(pair.publicKey), data, highS(signature))).toBe(true);
    expect(await crypto.verifyEcdsa(spki(pair.publicKey), Uint8Array.of(1), highS(signature))).toBe(false);
    expect(await crypto.verifyEcdsa(spki(pair.publicKey), data, signature)).toBe(true);
  });
});

/** s of a P1363 signature above n/2. */
const isHighS = (p1363: Uint8Array) => BigInt(`0x${Buffer.from(p1363.subarray(32)).toString("hex")}`) > P256_N / 2n;

describe("one Merkle algorithm, two drivers", () => {
  // An independent reference: RFC 6962 MTH and PATH computed recursively, straight from the RFC's definitions.
  const h = (...parts: Uint8Array[]) => parts.reduce((hash, p) => hash.update(p), createHash("sha256")).digest();
  const mth = (d: Uint8Array[]): Uint8Array => {
    if (d.length === 1) return h(Uint8Array.of(0), d[0]!);
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return h(Uint8Array.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
  };
  const path = (m: number, d: Uint8Array[]): Uint8Array[] => {
    if (d.length === 1) return [];
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
  };
  const leaves = Array.from({ length: 13 }, (_, i) => Uint8Array.of(i, i * 7));

  it("inclusion: runSync (node:crypto) and runCryptoProgram (each AsyncCrypto) give the RFC's answer, and refuse a flipped hash", async () => {
    for (let size = 1; size <= leaves.length; size++) {
      const tree = leaves.slice(0, size);
      const root = mth(tree);
      for (let index = 0; index < size; index++) {
        const proof = path(index, tree);
        const leaf = leafHash(tree[index]!);
        expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);
        for (const [, crypto] of CRYPTOS) expect(await runCryptoProgram(inclusionProof(index, size, leaf, proof, root), crypto)).toBe(true);
        if (proof.length) {
          const bad = proof.map((p, i) => (i === 0 ? Uint8Array.from(p, (b, j) => (j === 0 ? b ^ 1 : b)) : p));
          expect(runSync(inclusionProof(index, size, leaf, bad, root))).toBe(false);
          for (const [, crypto] of CRYPTOS) expect(await runCryptoProgram(inclusionProof(index, size, leaf, bad, root), crypto)).toBe(false);
        }
      }
    }
  });

  it("consistency: both drivers agree with the sync API on every pair of sizes", async () => {
    // Proofs from the sync API's own inputs: each driver must reach the same verdict, valid or not.
    for (let oldSize = 1; oldSize < 8; oldSize++) {
      for (let newSize = oldSize; newSize <= 8; newSize++) {
        const proof = [nodeHash(leafHash(leaves[0]!), leafHash(leaves[1]!)), mth(leaves.slice(0, 3))].slice(0, (oldSize + newSize) % 3);
        const oldRoot = mth(leaves.slice(0, oldSize));
        const newRoot = mth(leaves.slice(0, newSize));
        const expected = verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof);
        for (const [, crypto] of CRYPTOS) expect(await runCryptoProgram(consistencyProof(oldSize, newSize, oldRoot, newRoot, proof), crypto)).toBe(expected);
      }
    }
  });
});
