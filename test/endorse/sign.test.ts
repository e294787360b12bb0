import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signStatement } from "../../src/endorse/sign.js";
import { parseEcdsaDer } from "../../src/util/ecdsa-der.js";
import { verifyStatementSignature } from "../../src/keys/signature.js";

// RFC 6979 appendix A.2.5: ECDSA, 256 bits (prime field), SHA-256, message "sample".
const RFC6979 = {
  x: "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
  ux: "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
  uy: "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
  r: "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
  s: "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
};
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const b64url = (hex: string) => Buffer.from(hex, "hex").toString("base64url");

describe("signStatement", () => {
  it("derives the nonce as RFC 6979 does (the RFC's P-256/SHA-256 vector, S in its low form)", () => {
    const jwk = { kty: "EC", crv: "P-256", d: b64url(RFC6979.x), x: b64url(RFC6979.ux), y: b64url(RFC6979.uy) };
    const privateKey = createPrivateKey({ key: jwk, format: "jwk" });
    const publicKey = createPublicKey(privateKey);
    const signature = signStatement(Buffer.from("sample"), privateKey, publicKey);
    const parsed = parseEcdsaDer(signature);
    expect(parsed).toBeDefined();
    expect(parsed!.r).toBe(BigInt(`0x${RFC6979.r}`));
    // The RFC's s is above n/2; the low-S form n - s verifies the same (and nobody can re-sign it into another entry).
    expect(parsed!.s).toBe(N - BigInt(`0x${RFC6979.s}`));
  });

  it("gives the same signature for the same statement and key, another for another statement", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const a = signStatement(Buffer.from("statement one"), privateKey, publicKey);
    expect(Buffer.from(signStatement(Buffer.from("statement one"), privateKey, publicKey))).toEqual(Buffer.from(a));
    const b = signStatement(Buffer.from("statement two"), privateKey, publicKey);
    expect(Buffer.from(b)).not.toEqual(Buffer.from(a));
    expect(verifyStatementSignature(Buffer.from("statement two"), b, publicKey)).toBe(true);
  });

  it("refuses a key of another curve", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    expect(() => signStatement(Buffer.from("x"), privateKey, publicKey)).toThrow(/not a P-256 private key/);
  });
});
