import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { logIdentity, publicKeyFromPem } from "../../src/tlog/keys.js";
import { TlogError } from "../../src/tlog/errors.js";
import { COMMITTED } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

/** Key files written by OpenSSL, not by reftrail: the encodings a log operator actually hands out. */
function opensslKeys(): { sec1: string; pkcs8: string; spki: string; rsaPkcs1Public: string; certificate: string } {
  const dir = tempDir("log-keys");
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  run("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
  run("pkcs8", "-topk8", "-nocrypt", "-in", "sec1.pem", "-out", "pkcs8.pem");
  run("pkey", "-in", "sec1.pem", "-pubout", "-out", "spki.pem");
  run("genrsa", "-out", "rsa.pem", "2048");
  run("rsa", "-in", "rsa.pem", "-RSAPublicKey_out", "-out", "rsa-pkcs1-public.pem");
  run("req", "-new", "-x509", "-key", "sec1.pem", "-subj", "/CN=log", "-days", "1", "-out", "cert.pem");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return { sec1: read("sec1.pem"), pkcs8: read("pkcs8.pem"), spki: read("spki.pem"), rsaPkcs1Public: read("rsa-pkcs1-public.pem"), certificate: read("cert.pem") };
}

function refusal(pem: string): string {
  try {
    publicKeyFromPem(pem);
  } catch (err) {
    expect(err).toBeInstanceOf(TlogError);
    expect((err as TlogError).code).toBe("LOG_KEY");
    return (err as TlogError).message;
  }
  throw new Error("expected the key to be refused");
}

describe("a log's public key from PEM", () => {
  const keys = opensslKeys();

  it("reads public-good Rekor's key, whose logID Sigstore publishes", () => {
    const pem = readFileSync(join(COMMITTED, "sigstore/oak/rekor_public_key.pem"));
    expect(logIdentity(publicKeyFromPem(pem)).logId).toBe("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
    expect(publicKeyFromPem(pem.toString("utf8")).type).toBe("public");
  });

  it("reads an SPKI 'PUBLIC KEY' block from OpenSSL, surrounding blank lines allowed", () => {
    expect(publicKeyFromPem(`\n${keys.spki}\n`).asymmetricKeyType).toBe("ec");
  });

  it("refuses a private key, whatever its encoding, saying so (createPublicKey would derive the public half)", () => {
    for (const pem of [keys.sec1, keys.pkcs8, `${keys.spki}${keys.pkcs8}`, `${keys.pkcs8}${keys.spki}`]) expect(refusal(pem)).toMatch(/private key/);
  });

  it("refuses anything but exactly one PUBLIC KEY block", () => {
    for (const pem of [
      "",
      `${keys.spki}${keys.spki}`,
      `${keys.spki}trailing text\n`,
      `leading text\n${keys.spki}`,
      keys.rsaPkcs1Public,
      keys.certificate,
      keys.spki.replace(/\n[A-Za-z0-9+/]{8}/, "\n!!!!!!!!"),
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    ]) {
      expect(refusal(pem)).toMatch(/PUBLIC KEY/);
    }
  });
});
