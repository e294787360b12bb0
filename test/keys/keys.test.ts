import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeyError } from "../../src/keys/errors.js";
import { componentKeyPaths, generateKeyFiles, keyEnvName, readPrivateKeyEnv, readPrivateKeyFile } from "../../src/keys/key-store.js";
import { keyHintOf, keyIdOf, parsePrivateKey, parsePublicKey, publicKeyPem, sameKey } from "../../src/keys/component-keys.js";

const root = mkdtempSync(join(tmpdir(), "reftrail-keys-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = (): string => join(root, `case-${++counter}`);

function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { encoding: "utf8", ...(input !== undefined ? { input } : {}), stdio: ["pipe", "pipe", "pipe"] });
}

/** The key id as an auditor would compute it: `openssl pkey -pubin -in PUB -outform DER | sha256sum`. */
function opensslKeyId(publicPemPath: string): string {
  const out = execFileSync("sh", ["-c", 'openssl pkey -pubin -in "$1" -outform DER | sha256sum', "sh", publicPemPath], { encoding: "utf8" });
  return out.split(" ")[0]!;
}

function writeKeyFile(text: string, mode = 0o600): string {
  const dir = freshDir();
  mkdirSync(dir);
  const path = join(dir, "key.pem");
  writeFileSync(path, text, { mode });
  chmodSync(path, mode); // the umask must not decide
  return path;
}

/** Runs fn, expecting a KeyError with one of `codes`; returns it. */
function endorseError(fn: () => unknown, ...codes: string[]): KeyError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KeyError);
    expect(codes).toContain((err as KeyError).code);
    return err as KeyError;
  }
  throw new Error(`expected KeyError ${codes.join(" or ")}`);
}

/** The base64 body lines of a PEM: none of them may appear in any error text. */
const secretLines = (pem: string): string[] => pem.split(/\r?\n/).filter((l) => l.length >= 16 && !l.startsWith("-----"));
function expectNoKeyText(err: KeyError, pem: string): void {
  const visible = `${err.message}\n${err.subject ?? ""}\n${String(err)}\n${JSON.stringify(err)}`;
  for (const line of secretLines(pem)) {
    expect(visible).not.toContain(line);
    expect(visible).not.toContain(line.slice(0, 16));
  }
  expect(visible).not.toContain("BEGIN");
}

const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
const pkcs8 = (k: KeyObject): string => k.export({ type: "pkcs8", format: "pem" }) as string;

describe("generateKeyFiles", () => {
  it("writes a 0600 PKCS#8 private key and an SPKI public key into a new 0700 folder; the id is openssl's SHA-256 of the SPKI DER", () => {
    const dir = join(freshDir(), "nested", "keys");
    const stored = generateKeyFiles(dir, "ovmf-vars", false);
    expect(stored.created).toBe(true);
    expect(stored.component).toBe("ovmf-vars");
    expect(stored.privateKeyPath).toBe(join(dir, "ovmf-vars.private.pem"));
    expect(stored.publicKeyPath).toBe(join(dir, "ovmf-vars.public.pem"));
    expect(componentKeyPaths(dir, "ovmf-vars")).toEqual({ privateKey: stored.privateKeyPath, publicKey: stored.publicKeyPath });

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(stored.privateKeyPath).mode & 0o777).toBe(0o600);
    expect(statSync(stored.publicKeyPath).mode & 0o400).toBe(0o400);
    expect(statSync(stored.publicKeyPath).mode & 0o022).toBe(0); // nobody else may replace it
    expect(readdirSync(dir).sort()).toEqual(["ovmf-vars.private.pem", "ovmf-vars.public.pem"]);

    const privatePem = readFileSync(stored.privateKeyPath, "utf8");
    const publicPem = readFileSync(stored.publicKeyPath, "utf8");
    expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END PRIVATE KEY-----\n$/);
    expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    expect(openssl(["pkey", "-pubin", "-in", stored.publicKeyPath, "-noout", "-text"])).toMatch(/ASN1 OID: prime256v1/);
    // openssl derives the same public key from the private key file.
    expect(openssl(["pkey", "-in", stored.privateKeyPath, "-pubout"])).toBe(publicPem);

    const id = opensslKeyId(stored.publicKeyPath);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.keyId).toBe(id);
    expect(keyIdOf(stored.pair.publicKey)).toBe(id);
    expect(keyHintOf(stored.pair.publicKey)).toBe(Buffer.from(id, "hex").toString("base64"));

    // The returned pair is the one on disk: its signature verifies with openssl and the public file.
    const message = Buffer.from("reftrail key test\n");
    const sig = sign("sha256", message, stored.pair.privateKey);
    writeFileSync(join(root, `msg-${counter}`), message);
    writeFileSync(join(root, `sig-${counter}`), sig);
    expect(openssl(["dgst", "-sha256", "-verify", stored.publicKeyPath, "-signature", join(root, `sig-${counter}`), join(root, `msg-${counter}`)])).toMatch(/Verified OK/);
  });

  it("gives every component its own key", () => {
    const dir = freshDir();
    const a = generateKeyFiles(dir, "ovmf", false);
    const b = generateKeyFiles(dir, "linux-cloud", false);
    expect(a.keyId).not.toBe(b.keyId);
    expect(opensslKeyId(b.publicKeyPath)).toBe(b.keyId);
    expect(readdirSync(dir).sort()).toEqual(["linux-cloud.private.pem", "linux-cloud.public.pem", "ovmf.private.pem", "ovmf.public.pem"]);
  });

  it("refuses to replace an existing private key (KEY_EXISTS) and leaves both files as they were", () => {
    const dir = freshDir();
    const first = generateKeyFiles(dir, "initrd", false);
    const privateBefore = readFileSync(first.privateKeyPath);
    const publicBefore = readFileSync(first.publicKeyPath);
    endorseError(() => generateKeyFiles(dir, "initrd", false), "KEY_EXISTS");
    expect(readFileSync(first.privateKeyPath)).toEqual(privateBefore);
    expect(readFileSync(first.publicKeyPath)).toEqual(publicBefore);
    expect(readdirSync(dir).sort()).toEqual(["initrd.private.pem", "initrd.public.pem"]);
  });

  it("refuses to replace any existing private key file, even one it did not write", () => {
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o700 });
    const { privateKey } = componentKeyPaths(dir, "cmdline");
    writeFileSync(privateKey, "not a key", { mode: 0o600 });
    endorseError(() => generateKeyFiles(dir, "cmdline", false), "KEY_EXISTS");
    expect(readFileSync(privateKey, "utf8")).toBe("not a key");
  });

  it("with keepExisting keeps the key: created=false, the same id, the same bytes", () => {
    const dir = freshDir();
    const first = generateKeyFiles(dir, "initrd", false);
    const privateBefore = readFileSync(first.privateKeyPath);
    const again = generateKeyFiles(dir, "initrd", true);
    expect(again.created).toBe(false);
    expect(again.keyId).toBe(first.keyId);
    expect(sameKey(again.pair.publicKey, first.pair.publicKey)).toBe(true);
    expect(readFileSync(first.privateKeyPath)).toEqual(privateBefore);
    expect(opensslKeyId(again.publicKeyPath)).toBe(first.keyId);
  });

  it("with keepExisting restores a missing or wrong public key file from the private key", () => {
    const dir = freshDir();
    const first = generateKeyFiles(dir, "ovmf", false);
    const publicPem = readFileSync(first.publicKeyPath, "utf8");
    unlinkSync(first.publicKeyPath);
    expect(generateKeyFiles(dir, "ovmf", true).created).toBe(false);
    expect(readFileSync(first.publicKeyPath, "utf8")).toBe(publicPem);
    writeFileSync(first.publicKeyPath, publicKeyPem(p256().publicKey));
    expect(generateKeyFiles(dir, "ovmf", true).keyId).toBe(first.keyId);
    expect(readFileSync(first.publicKeyPath, "utf8")).toBe(publicPem);
    expect(opensslKeyId(first.publicKeyPath)).toBe(first.keyId);
  });

  it("with keepExisting still refuses an existing private key that others may read", () => {
    const dir = freshDir();
    const first = generateKeyFiles(dir, "ovmf", false);
    chmodSync(first.privateKeyPath, 0o644);
    endorseError(() => generateKeyFiles(dir, "ovmf", true), "KEY_PERMISSIONS");
  });
});

describe("readPrivateKeyFile", () => {
  it("reads a 0600 or 0400 PKCS#8 P-256 key", () => {
    const { privateKey, publicKey } = p256();
    for (const mode of [0o600, 0o400]) {
      const pair = readPrivateKeyFile(writeKeyFile(pkcs8(privateKey), mode));
      expect(sameKey(pair.publicKey, publicKey)).toBe(true);
      expect(pair.privateKey.type).toBe("private");
      expect(pair.publicKey.type).toBe("public");
    }
  });

  it("reads an openssl-made SEC1 ('EC PRIVATE KEY') key, also with CRLF lines and surrounding blank lines", () => {
    const sec1 = openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout"]);
    expect(sec1).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    const path = writeKeyFile(sec1);
    const pair = readPrivateKeyFile(path);
    const publicPath = join(root, `pub-${counter}.pem`);
    writeFileSync(publicPath, openssl(["ec", "-in", path, "-pubout"]));
    expect(keyIdOf(pair.publicKey)).toBe(opensslKeyId(publicPath));
    const crlf = `\n\n${sec1.replace(/\n/g, "\r\n")}\n  \n`;
    expect(sameKey(readPrivateKeyFile(writeKeyFile(crlf)).publicKey, pair.publicKey)).toBe(true);
  });

  it("refuses files that group or others can read or write (KEY_PERMISSIONS), naming the file", () => {
    const pem = pkcs8(p256().privateKey);
    for (const mode of [0o640, 0o604, 0o644, 0o660, 0o606, 0o610, 0o601, 0o620, 0o602, 0o700 | 0o004]) {
      const path = writeKeyFile(pem, mode);
      const err = endorseError(() => readPrivateKeyFile(path), "KEY_PERMISSIONS");
      expect(err.subject).toBe(path);
      expect(err.message).toContain((mode & 0o777).toString(8));
      expectNoKeyText(err, pem);
    }
  });

  it("refuses a missing file (KEY_MISSING) and a folder (KEY_FILE)", () => {
    const missing = join(freshDir(), "absent.pem");
    expect(endorseError(() => readPrivateKeyFile(missing), "KEY_MISSING").subject).toBe(missing);
    const dir = freshDir();
    mkdirSync(dir, { mode: 0o700 });
    expect(endorseError(() => readPrivateKeyFile(dir), "KEY_FILE").subject).toBe(dir);
  });

  it("refuses non-keys, extra text and other key types without quoting the file", () => {
    const good = pkcs8(p256().privateKey);
    const rsa = pkcs8(generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey);
    const p384 = pkcs8(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey);
    const secp256k1 = pkcs8(generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey);
    const ed25519 = pkcs8(generateKeyPairSync("ed25519").privateKey);
    const encrypted = p256().privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "secret" }) as string;
    const goodBody = secretLines(good);
    const corrupted = good.replace(goodBody[0]!, goodBody[0]!.replace(/^..../, "AAAA"));
    const cases: [string, string, string[]][] = [
      ["garbage", "this is not a key\n", ["KEY_FILE"]],
      ["empty file", "", ["KEY_FILE"]],
      ["trailing text", `${good}trailing text\n`, ["KEY_FILE"]],
      ["leading text", `comment\n${good}`, ["KEY_FILE"]],
      ["two keys", `${good}${pkcs8(p256().privateKey)}`, ["KEY_FILE"]],
      ["EC PARAMETERS before the key", `${openssl(["ecparam", "-name", "prime256v1"])}${good}`, ["KEY_FILE"]],
      ["a public key", publicKeyPem(p256().publicKey), ["KEY_FILE"]],
      ["an encrypted key", encrypted, ["KEY_FILE"]],
      ["corrupted DER", corrupted, ["KEY_FILE"]],
      ["no END line", good.replace(/-----END PRIVATE KEY-----\n$/, ""), ["KEY_FILE"]],
      ["mismatched labels", good.replace("END PRIVATE KEY", "END EC PRIVATE KEY"), ["KEY_FILE"]],
      ["RSA key", rsa, ["KEY_TYPE"]],
      ["P-384 key", p384, ["KEY_TYPE"]],
      ["secp256k1 key", secp256k1, ["KEY_TYPE"]],
      ["Ed25519 key", ed25519, ["KEY_TYPE"]],
    ];
    for (const [what, text, codes] of cases) {
      const path = writeKeyFile(text);
      let err: KeyError | undefined;
      expect(() => {
        err = endorseError(() => readPrivateKeyFile(path), ...codes);
      }, what).not.toThrow();
      expect(err!.subject, what).toBe(path);
      expectNoKeyText(err!, text);
      if (what === "garbage") expect(err!.message).not.toContain("this is not a key");
      if (what === "trailing text") expect(err!.message).not.toContain("trailing text");
    }
    expect(endorseError(() => readPrivateKeyFile(writeKeyFile(p384)), "KEY_TYPE").message).toMatch(/secp384r1/);
    expect(endorseError(() => readPrivateKeyFile(writeKeyFile(rsa)), "KEY_TYPE").message).toMatch(/rsa/);
  });
});

describe("readPrivateKeyEnv", () => {
  const NAME = `REFTRAIL_TEST_KEY_${process.pid}`;
  afterAll(() => {
    delete process.env[NAME];
  });

  it("reads a PEM key from the variable", () => {
    const { privateKey, publicKey } = p256();
    process.env[NAME] = pkcs8(privateKey);
    expect(sameKey(readPrivateKeyEnv(NAME).publicKey, publicKey)).toBe(true);
    // CI secrets often lose the final newline or gain surrounding blanks.
    process.env[NAME] = `  ${pkcs8(privateKey).trimEnd()}  `;
    expect(sameKey(readPrivateKeyEnv(NAME).publicKey, publicKey)).toBe(true);
  });

  it("refuses an unset, empty or blank variable (KEY_MISSING), naming the variable", () => {
    delete process.env[NAME];
    const unset = endorseError(() => readPrivateKeyEnv(NAME), "KEY_MISSING");
    expect(unset.subject).toBe(`$${NAME}`);
    expect(unset.message).toContain(NAME);
    for (const value of ["", " ", "\n\t\n"]) {
      process.env[NAME] = value;
      expect(endorseError(() => readPrivateKeyEnv(NAME), "KEY_MISSING").subject).toBe(`$${NAME}`);
    }
  });

  it("refuses garbage and other key types without quoting the variable's value", () => {
    const good = pkcs8(p256().privateKey);
    const cases: [string, string[]][] = [
      ["hunter2-not-a-key", ["KEY_FILE"]],
      [`${good}extra`, ["KEY_FILE"]],
      [good.replace(/\n/g, "\\n"), ["KEY_FILE"]], // a secret pasted with literal \n
      [publicKeyPem(p256().publicKey), ["KEY_FILE"]],
      [pkcs8(generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey), ["KEY_TYPE"]],
    ];
    for (const [value, codes] of cases) {
      process.env[NAME] = value;
      const err = endorseError(() => readPrivateKeyEnv(NAME), ...codes);
      expect(err.subject).toBe(`$${NAME}`);
      expectNoKeyText(err, value);
      expect(err.message).not.toContain("hunter2");
    }
  });
});

describe("keyEnvName", () => {
  it("upper-cases the component and replaces every non-alphanumeric by _", () => {
    expect(keyEnvName("REFTRAIL_KEY_", "ovmf-vars")).toBe("REFTRAIL_KEY_OVMF_VARS");
    expect(keyEnvName("REFTRAIL_KEY_", "linux-cloud")).toBe("REFTRAIL_KEY_LINUX_CLOUD");
    expect(keyEnvName("REFTRAIL_KEY_", "ovmf")).toBe("REFTRAIL_KEY_OVMF");
    expect(keyEnvName("REFTRAIL_KEY_", "stage0_bin")).toBe("REFTRAIL_KEY_STAGE0_BIN");
    expect(keyEnvName("REFTRAIL_KEY_", "Kernel.6+deb")).toBe("REFTRAIL_KEY_KERNEL_6_DEB");
    expect(keyEnvName("CI_", "a.b-c+d_e9")).toBe("CI_A_B_C_D_E9");
    expect(keyEnvName("", "x")).toBe("X");
  });
});

describe("sameKey", () => {
  const { privateKey, publicKey } = p256();

  it("is true for the same point however it was imported", () => {
    expect(sameKey(publicKey, publicKey)).toBe(true);
    const jwk = publicKey.export({ format: "jwk" });
    expect(sameKey(publicKey, createPublicKey({ key: jwk, format: "jwk" }))).toBe(true);
    expect(sameKey(publicKey, createPublicKey(publicKeyPem(publicKey)))).toBe(true);
    expect(sameKey(publicKey, createPublicKey(privateKey))).toBe(true);
    const sec1 = createPrivateKey({ key: privateKey.export({ type: "sec1", format: "der" }), format: "der", type: "sec1" });
    expect(sameKey(publicKey, createPublicKey(sec1))).toBe(true);
  });

  it("is true for a compressed-point SPKI made by openssl, whose SPKI DER (and so key id) differs", () => {
    const uncompressed = publicKeyPem(publicKey);
    const compressed = openssl(["ec", "-pubin", "-conv_form", "compressed", "-pubout"], uncompressed);
    expect(compressed).not.toBe(uncompressed);
    const key = parsePublicKey(compressed);
    // 0x02/0x03 + 32 bytes of x in a 59-byte SPKI instead of 0x04 + x + y in 91.
    expect((key.export({ type: "spki", format: "der" }) as Buffer).length).toBe(59);
    expect(sameKey(key, publicKey)).toBe(true);
    expect(sameKey(publicKey, key)).toBe(true);
    expect(sameKey(key, p256().publicKey)).toBe(false);
  });

  it("is false for different keys, curves and key types", () => {
    expect(sameKey(publicKey, p256().publicKey)).toBe(false);
    expect(sameKey(publicKey, generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey)).toBe(false);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey;
    expect(sameKey(publicKey, rsa)).toBe(false);
    expect(sameKey(rsa, rsa)).toBe(true);
    expect(sameKey(rsa, generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey)).toBe(false);
    // Same x, other y (the negated point): still another key.
    const jwk = publicKey.export({ format: "jwk" });
    const p = (1n << 256n) - (1n << 224n) + (1n << 192n) + (1n << 96n) - 1n;
    const y = BigInt(`0x${Buffer.from(jwk.y!, "base64url").toString("hex")}`);
    const negY = Buffer.from((p - y).toString(16).padStart(64, "0"), "hex").toString("base64url");
    const negated = createPublicKey({ key: { ...jwk, y: negY }, format: "jwk" });
    expect(sameKey(publicKey, negated)).toBe(false);
  });
});

describe("parsePublicKey / parsePrivateKey", () => {
  it("accept exactly one P-256 PEM block of the right kind", () => {
    const { privateKey, publicKey } = p256();
    expect(sameKey(parsePublicKey(publicKeyPem(publicKey)), publicKey)).toBe(true);
    expect(sameKey(parsePrivateKey(pkcs8(privateKey)).publicKey, publicKey)).toBe(true);
    expect(endorseError(() => parsePublicKey(pkcs8(privateKey)), "KEY_FILE").message).not.toContain(secretLines(pkcs8(privateKey))[0]!);
    endorseError(() => parsePublicKey(`${publicKeyPem(publicKey)}x`), "KEY_FILE");
    endorseError(() => parsePublicKey(publicKeyPem(generateKeyPairSync("ec", { namedCurve: "P-384" }).publicKey)), "KEY_TYPE");
    endorseError(() => parsePublicKey(publicKeyPem(generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey)), "KEY_TYPE");
  });

  it("a signature by the parsed private key verifies with the derived public key", () => {
    const { privateKey } = p256();
    const pair = parsePrivateKey(pkcs8(privateKey));
    const message = Buffer.from("x");
    expect(verify("sha256", message, pair.publicKey, sign("sha256", message, privateKey))).toBe(true);
  });
});
