import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { EndorseError } from "./errors.js";
import { generateComponentKey, keyIdOf, parsePrivateKey, privateKeyPem, publicKeyPem, type ComponentKeyPair } from "./keys.js";

/** Where `reftrail keys generate --out DIR` keeps a component's key pair. */
export function componentKeyPaths(dir: string, component: string): { privateKey: string; publicKey: string } {
  return { privateKey: join(dir, `${component}.private.pem`), publicKey: join(dir, `${component}.public.pem`) };
}

export interface StoredKey {
  readonly component: string;
  readonly keyId: string;
  readonly privateKeyPath: string;
  readonly publicKeyPath: string;
  readonly pair: ComponentKeyPair;
  /** False when an existing key was kept. */
  readonly created: boolean;
}

/**
 * Generates a component's key pair into `dir` (mode 0700): the private key PKCS#8 PEM with mode 0600
 * from the moment it exists, the public key SPKI PEM. An existing private key is never replaced:
 * with `keepExisting` it is loaded and reported, otherwise generation fails.
 */
export function generateKeyFiles(dir: string, component: string, keepExisting: boolean): StoredKey {
  const paths = componentKeyPaths(dir, component);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(paths.privateKey)) {
    if (!keepExisting) throw new EndorseError("KEY_EXISTS", `${paths.privateKey} exists: refusing to replace a signing key`);
    return kept(component, paths);
  }
  const pair = generateComponentKey();
  // Staged beside the final name and hard-linked into place: link() fails if the name exists, so a
  // concurrent generator can never have its key replaced, and the key is never seen half-written.
  const staged = `${paths.privateKey}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileAtomic(staged, privateKeyPem(pair.privateKey), 0o600);
  try {
    linkSync(staged, paths.privateKey);
  } catch {
    if (!keepExisting) throw new EndorseError("KEY_EXISTS", `${paths.privateKey} exists: refusing to replace a signing key`);
    return kept(component, paths);
  } finally {
    rmSync(staged, { force: true });
  }
  writeFileAtomic(paths.publicKey, publicKeyPem(pair.publicKey), 0o644);
  return { component, keyId: keyIdOf(pair.publicKey), privateKeyPath: paths.privateKey, publicKeyPath: paths.publicKey, pair, created: true };
}

function kept(component: string, paths: { privateKey: string; publicKey: string }): StoredKey {
  const pair = readPrivateKeyFile(paths.privateKey);
  const pem = publicKeyPem(pair.publicKey);
  if (!existsSync(paths.publicKey) || readFileSync(paths.publicKey, "utf8") !== pem) writeFileAtomic(paths.publicKey, pem, 0o644);
  return { component, keyId: keyIdOf(pair.publicKey), privateKeyPath: paths.privateKey, publicKeyPath: paths.publicKey, pair, created: false };
}

/** Reads a private key file; refuses one that group or others may read, as ssh does. */
export function readPrivateKeyFile(path: string): ComponentKeyPair {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EndorseError(code === "ENOENT" ? "KEY_MISSING" : "KEY_FILE", code === "ENOENT" ? "private key file does not exist" : `private key file cannot be read (${code ?? "error"})`, path);
  }
  if ((mode & 0o077) !== 0) throw new EndorseError("KEY_PERMISSIONS", `private key is readable by group or others (mode ${(mode & 0o777).toString(8)}): chmod 600 it`, path);
  try {
    return parsePrivateKey(text, "private key file");
  } catch (err) {
    throw err instanceof EndorseError ? err.about(path) : err;
  }
}

/** Reads a private key PEM from an environment variable (a CI secret). */
export function readPrivateKeyEnv(name: string): ComponentKeyPair {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") throw new EndorseError("KEY_MISSING", `environment variable ${name} is not set`, `$${name}`);
  try {
    return parsePrivateKey(text, `the key in $${name}`);
  } catch (err) {
    throw err instanceof EndorseError ? err.about(`$${name}`) : err;
  }
}

/** `REFTRAIL_KEY_` + the component name upper-cased, non-alphanumerics as `_` (ovmf-vars → REFTRAIL_KEY_OVMF_VARS). */
export function keyEnvName(prefix: string, component: string): string {
  return prefix + component.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}
