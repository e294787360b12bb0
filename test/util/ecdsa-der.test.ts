import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseEcdsaDer } from "../../src/util/ecdsa-der.js";

const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const tmp = mkdtempSync(join(tmpdir(), "reftrail-ecdsa-der-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const big = (b: Uint8Array): bigint => BigInt(`0x${hex(b) || "0"}`);
const fixed = (v: bigint, size: number): Buffer => Buffer.from(v.toString(16).padStart(size * 2, "0"), "hex");

/** A DER encoder written for the test (X.690 8.3: minimal two's complement; 8.1.3: short-form lengths). */
function derInteger(unsigned: Uint8Array): number[] {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const body = [...unsigned.subarray(i)];
  if (body[0]! & 0x80) body.unshift(0);
  return [0x02, body.length, ...body];
}
function derSignature(r: Uint8Array, s: Uint8Array): Buffer {
  const body = [...derInteger(r), ...derInteger(s)];
  if (body.length >= 0x80) throw new Error("test encoder: short form only");
  return Buffer.from([0x30, body.length, ...body]);
}

/** r‖s (IEEE P1363) for a DER signature, via the parser; node verifies it in that encoding. */
const asP1363 = (rs: { r: bigint; s: bigint }, size = 32): Buffer => Buffer.concat([fixed(rs.r, size), fixed(rs.s, size)]);
const verifiesDer = (message: Uint8Array, signature: Uint8Array, key: KeyObject = publicKey): boolean => verify("sha256", message, key, signature);
const verifiesP1363 = (message: Uint8Array, signature: Uint8Array, key: KeyObject = publicKey): boolean => verify("sha256", message, { key, dsaEncoding: "ieee-p1363" }, signature);

/** openssl asn1parse's reading of a DER signature: the two INTEGERs' hex values. */
function opensslIntegers(der: Uint8Array): bigint[] {
  const path = join(tmp, `sig-${hex(randomBytes(4))}.der`);
  writeFileSync(path, der);
  const out = execFileSync("openssl", ["asn1parse", "-inform", "DER", "-in", path], { encoding: "utf8" });
  return [...out.matchAll(/INTEGER\s+:([0-9A-F]+)/g)].map((m) => BigInt(`0x${m[1]}`));
}

/** A real signature with its message: 0x30 len 0x02 rlen r 0x02 slen s, as node (OpenSSL) writes it. */
function realSignature(): { message: Buffer; der: Buffer } {
  const message = randomBytes(32);
  return { message, der: sign("sha256", message, privateKey) };
}

describe("parseEcdsaDer on real signatures", () => {
  it("reads r and s of 300 node:crypto P-256 signatures so that r‖s verifies as IEEE P1363", () => {
    const lengths = new Set<number>();
    for (let i = 0; i < 300; i++) {
      const { message, der } = realSignature();
      lengths.add(der.length);
      const rs = parseEcdsaDer(der);
      expect(rs, hex(der)).toBeDefined();
      expect(verifiesP1363(message, asP1363(rs!))).toBe(true);
      // And a different r or s does not: the values are the signature's, not merely plausible.
      expect(verifiesP1363(message, asP1363({ r: rs!.r, s: rs!.s ^ 1n }))).toBe(false);
      expect(verifiesP1363(message, asP1363({ r: rs!.r ^ 1n, s: rs!.s }))).toBe(false);
    }
    // High-bit r or s (33-byte INTEGER) and not: 70, 71 and 72 bytes all occur in 300 signatures.
    for (const n of [70, 71, 72]) expect(lengths.has(n), `length ${n} among ${[...lengths].join(",")}`).toBe(true);
  });

  it("reads exactly the r and s of 300 ieee-p1363 signatures once they are DER-encoded by the test", () => {
    for (let i = 0; i < 300; i++) {
      const message = randomBytes(32);
      const p1363 = sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
      expect(p1363.length).toBe(64);
      const r = p1363.subarray(0, 32);
      const s = p1363.subarray(32);
      const der = derSignature(r, s);
      // node accepts the test's encoding as the DER form of the same signature...
      expect(verifiesDer(message, der)).toBe(true);
      // ...and the parser reads the same integers back.
      expect(parseEcdsaDer(der)).toEqual({ r: big(r), s: big(s) });
    }
  });

  it("agrees with openssl asn1parse", () => {
    for (let i = 0; i < 4; i++) {
      const { der } = realSignature();
      const rs = parseEcdsaDer(der)!;
      expect(opensslIntegers(der)).toEqual([rs.r, rs.s]);
    }
  });

  it("accepts a short real signature (an r or s with leading zero bytes: 69 bytes or fewer)", () => {
    let found: { message: Buffer; der: Buffer } | undefined;
    for (let i = 0; i < 20_000 && found === undefined; i++) {
      const candidate = realSignature();
      if (candidate.der.length <= 69) found = candidate;
    }
    expect(found, "no signature of 69 bytes or fewer in 20000 tries (probability about 1e-17)").toBeDefined();
    const { message, der } = found!;
    const rs = parseEcdsaDer(der);
    expect(rs).toBeDefined();
    expect(verifiesP1363(message, asP1363(rs!))).toBe(true);
    // One of the integers has at most 31 content bytes, high bit clear: below 2^247.
    expect(rs!.r < 1n << 247n || rs!.s < 1n << 247n).toBe(true);
    expect(opensslIntegers(der)).toEqual([rs!.r, rs!.s]);
  });

  it("accepts long-form lengths where DER requires them (P-521 signatures are over 127 bytes)", () => {
    const p521 = generateKeyPairSync("ec", { namedCurve: "P-521" });
    for (let i = 0; i < 10; i++) {
      const message = randomBytes(32);
      const der = sign("sha256", message, p521.privateKey);
      expect(der[1]).toBe(0x81);
      const rs = parseEcdsaDer(der);
      expect(rs).toBeDefined();
      expect(verifiesP1363(message, asP1363(rs!, 66), p521.publicKey)).toBe(true);
      // The same length in any other long form (two or more length bytes, indefinite) is not DER.
      for (const first of [0x80, 0x82, 0x83, 0x84, 0xff]) {
        const other = Buffer.from(der);
        other[1] = first;
        expect(parseEcdsaDer(other), `length byte 0x${first.toString(16)}`).toBeUndefined();
        expect(verify("sha256", message, p521.publicKey, other)).toBe(false);
      }
    }
  });

  it("accepts minimal DER however short (the length of a signature says nothing)", () => {
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7f]))).toEqual({ r: 1n, s: 127n });
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x80, 0x02, 0x01, 0x01]))).toEqual({ r: 128n, s: 1n });
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x08, 0x02, 0x02, 0x01, 0x00, 0x02, 0x02, 0x7f, 0xff]))).toEqual({ r: 256n, s: 0x7fffn });
  });
});

describe("parseEcdsaDer refuses", () => {
  const base = realSignature();
  const rs = parseEcdsaDer(base.der)!;
  const r = fixed(rs.r, 32);
  const s = fixed(rs.s, 32);

  /** Encodings of the same r and s that are not DER: node (OpenSSL) must refuse them too. */
  function refusedLikeOpenssl(bytes: Uint8Array, what: string): void {
    expect(parseEcdsaDer(bytes), what).toBeUndefined();
    expect(verifiesDer(base.message, bytes), `${what}: OpenSSL accepts it`).toBe(false);
  }

  it("the fixture signature is valid to begin with", () => {
    expect(verifiesDer(base.message, base.der)).toBe(true);
    expect(verifiesDer(base.message, derSignature(r, s))).toBe(true);
  });

  it("raw 64-byte r‖s signatures (200 of them)", () => {
    for (let i = 0; i < 200; i++) {
      const message = randomBytes(32);
      const p1363 = sign("sha256", message, { key: privateKey, dsaEncoding: "ieee-p1363" });
      expect(parseEcdsaDer(p1363), hex(p1363)).toBeUndefined();
    }
    expect(parseEcdsaDer(Buffer.concat([r, s]))).toBeUndefined();
  });

  it("empty input and every truncation of 20 real signatures", () => {
    expect(parseEcdsaDer(new Uint8Array(0))).toBeUndefined();
    for (let i = 0; i < 20; i++) {
      const { der } = realSignature();
      for (let n = 0; n < der.length; n++) expect(parseEcdsaDer(der.subarray(0, n)), `${n} of ${der.length} bytes`).toBeUndefined();
    }
  });

  it("any trailing byte, after the sequence or inside it after s", () => {
    for (const extra of [0x00, 0x01, 0x30, 0xff]) {
      refusedLikeOpenssl(Buffer.concat([base.der, Buffer.from([extra])]), `trailing 0x${extra.toString(16)}`);
      // The same byte inside the SEQUENCE, its length adjusted.
      const inner = Buffer.concat([base.der, Buffer.from([extra])]);
      inner[1] = inner[1]! + 1;
      refusedLikeOpenssl(inner, `inner trailing 0x${extra.toString(16)}`);
    }
    // A whole second signature appended.
    expect(parseEcdsaDer(Buffer.concat([base.der, base.der]))).toBeUndefined();
  });

  it("non-minimal length encodings", () => {
    const body = base.der.subarray(2);
    const len = body.length;
    refusedLikeOpenssl(Buffer.concat([Buffer.from([0x30, 0x81, len]), body]), "sequence length in long form");
    refusedLikeOpenssl(Buffer.concat([Buffer.from([0x30, 0x82, 0x00, len]), body]), "sequence length in two bytes");
    refusedLikeOpenssl(Buffer.concat([Buffer.from([0x30, 0x80]), body, Buffer.from([0x00, 0x00])]), "indefinite length");
    // The INTEGER r with a long-form length.
    const rInt = derInteger(r);
    const sInt = derInteger(s);
    const longR = [0x02, 0x81, rInt[1]!, ...rInt.slice(2)];
    refusedLikeOpenssl(Buffer.from([0x30, longR.length + sInt.length, ...longR, ...sInt]), "r length in long form");
    const longS = [0x02, 0x81, sInt[1]!, ...sInt.slice(2)];
    refusedLikeOpenssl(Buffer.from([0x30, rInt.length + longS.length, ...rInt, ...longS]), "s length in long form");
  });

  it("sequence lengths that do not match the content", () => {
    for (const delta of [-3, -1, 1, 3]) {
      const bytes = Buffer.from(base.der);
      bytes[1] = bytes[1]! + delta;
      expect(parseEcdsaDer(bytes), `length ${delta}`).toBeUndefined();
    }
    // An integer length that overruns the sequence.
    const rInt = derInteger(r);
    const sInt = derInteger(s);
    const over = [0x02, sInt[1]! + 1, ...sInt.slice(2)];
    expect(parseEcdsaDer(Buffer.from([0x30, rInt.length + over.length, ...rInt, ...over]))).toBeUndefined();
  });

  it("negative integers (a high bit without the 0x00 pad)", () => {
    const high = Buffer.from(r);
    high[0] = high[0]! | 0x80;
    const rInt = [0x02, 32, ...high];
    const sInt = derInteger(s);
    expect(parseEcdsaDer(Buffer.from([0x30, rInt.length + sInt.length, ...rInt, ...sInt]))).toBeUndefined();
    const sNeg = [0x02, 32, ...high];
    expect(parseEcdsaDer(Buffer.from([0x30, derInteger(r).length + 34, ...derInteger(r), ...sNeg]))).toBeUndefined();
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0xff, 0x02, 0x01, 0x01]))).toBeUndefined();
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x80]))).toBeUndefined();
    // A real signature whose r has its pad byte removed.
    for (let i = 0; i < 50; i++) {
      const { der } = realSignature();
      if (der[3] !== 33) continue;
      const stripped = Buffer.concat([Buffer.from([0x30, der[1]! - 1, 0x02, 32]), der.subarray(5)]);
      expect(parseEcdsaDer(stripped), hex(stripped)).toBeUndefined();
      return;
    }
    throw new Error("no signature with a 33-byte r in 50 tries");
  });

  it("leading zero padding that is not needed", () => {
    const rInt = derInteger(r);
    const sInt = derInteger(s);
    // An extra 0x00 in front of r, and in front of s (whatever their high bit).
    const padR = [0x02, rInt[1]! + 1, 0x00, ...rInt.slice(2)];
    refusedLikeOpenssl(Buffer.from([0x30, padR.length + sInt.length, ...padR, ...sInt]), "r padded");
    const padS = [0x02, sInt[1]! + 1, 0x00, ...sInt.slice(2)];
    refusedLikeOpenssl(Buffer.from([0x30, rInt.length + padS.length, ...rInt, ...padS]), "s padded");
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x7f, 0x02, 0x01, 0x01]))).toBeUndefined();
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x08, 0x02, 0x03, 0x00, 0x00, 0x80, 0x02, 0x01, 0x01]))).toBeUndefined();
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x00, 0x02, 0x01, 0x01]))).toBeUndefined();
  });

  it("zero or empty r or s", () => {
    const sInt = derInteger(s);
    const rInt = derInteger(r);
    expect(parseEcdsaDer(Buffer.from([0x30, 3 + sInt.length, 0x02, 0x01, 0x00, ...sInt]))).toBeUndefined();
    expect(parseEcdsaDer(Buffer.from([0x30, rInt.length + 3, ...rInt, 0x02, 0x01, 0x00]))).toBeUndefined();
    expect(parseEcdsaDer(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]))).toBeUndefined();
    expect(parseEcdsaDer(Buffer.from([0x30, 2 + sInt.length, 0x02, 0x00, ...sInt]))).toBeUndefined();
    expect(parseEcdsaDer(Buffer.from([0x30, rInt.length + 2, ...rInt, 0x02, 0x00]))).toBeUndefined();
  });

  it("wrong tags, missing or extra elements", () => {
    for (const tag of [0x31, 0x10, 0xb0, 0x00, 0x02, 0x04]) {
      const bytes = Buffer.from(base.der);
      bytes[0] = tag;
      expect(parseEcdsaDer(bytes), `sequence tag 0x${tag.toString(16)}`).toBeUndefined();
    }
    const rInt = derInteger(r);
    const sInt = derInteger(s);
    for (const tag of [0x03, 0x04, 0x0a, 0x22, 0x82, 0x30]) {
      expect(parseEcdsaDer(Buffer.from([0x30, rInt.length + sInt.length, tag, ...rInt.slice(1), ...sInt])), `r tag 0x${tag.toString(16)}`).toBeUndefined();
      expect(parseEcdsaDer(Buffer.from([0x30, rInt.length + sInt.length, ...rInt, tag, ...sInt.slice(1)])), `s tag 0x${tag.toString(16)}`).toBeUndefined();
    }
    // Only r; r, s and a third INTEGER; the two INTEGERs without the SEQUENCE.
    expect(parseEcdsaDer(Buffer.from([0x30, rInt.length, ...rInt]))).toBeUndefined();
    expect(parseEcdsaDer(Buffer.from([0x30, rInt.length + sInt.length + 3, ...rInt, ...sInt, 0x02, 0x01, 0x01]))).toBeUndefined();
    expect(parseEcdsaDer(Buffer.from([...rInt, ...sInt]))).toBeUndefined();
    // The signature wrapped in a second SEQUENCE.
    expect(parseEcdsaDer(Buffer.concat([Buffer.from([0x30, base.der.length]), base.der]))).toBeUndefined();
  });

  it("every single-byte change of the header bytes of 10 real signatures, unless it is still DER of the same or another value", () => {
    // Flipping any bit of a tag or length byte must never produce a parse that disagrees with OpenSSL.
    for (let i = 0; i < 10; i++) {
      const { message, der } = realSignature();
      const rlen = der[3]!;
      const headers = [0, 1, 2, 3, 4 + rlen, 5 + rlen];
      for (const at of headers) {
        for (let bit = 0; bit < 8; bit++) {
          const bytes = Buffer.from(der);
          bytes[at] = bytes[at]! ^ (1 << bit);
          const parsed = parseEcdsaDer(bytes);
          if (parsed !== undefined) {
            // Still well-formed DER: then it must be exactly what the test's encoder makes of its values.
            expect(hex(derSignature(fixed(parsed.r, 32), fixed(parsed.s, 32))), `byte ${at} bit ${bit}`).toBe(hex(bytes));
          }
          expect(verifiesDer(message, bytes), `byte ${at} bit ${bit}`).toBe(false);
        }
      }
    }
  });
});
