import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createFileExclusive, writeFileAtomic } from "../util/atomic-write.js";
import { ReftrailError } from "../util/errors.js";
import { decodeUtf8, readOptionalFile, readRegularFileWithStats } from "../util/read-file.js";
import { KeyError } from "./errors.js";
import { generateComponentKey, keyIdOf, parsePrivateKey, privateKeyPem, publicKeyPem, type ComponentKeyPair } from "./component-keys.js";

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
    if (!keepExisting) throw new KeyError("KEY_EXISTS", `${paths.privateKey} exists: refusing to replace a signing key`);
    return kept(component, paths);
  }
  const pair = generateComponentKey();
  // Created whole and never over an existing name (see createFileExclusive): a concurrent generator
  // can never have its key replaced, and the key is never seen half-written.
  try {
    createFileExclusive(paths.privateKey, privateKeyPem(pair.privateKey), 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    if (!keepExisting) throw new KeyError("KEY_EXISTS", `${paths.privateKey} exists: refusing to replace a signing key`);
    return kept(component, paths);
  }
  writeFileAtomic(paths.publicKey, publicKeyPem(pair.publicKey), { mode: 0o644 });
  return { component, keyId: keyIdOf(pair.publicKey), privateKeyPath: paths.privateKey, publicKeyPath: paths.publicKey, pair, created: true };
}

function kept(component: string, paths: { privateKey: string; publicKey: string }): StoredKey {
  const pair = readPrivateKeyFile(paths.privateKey);
  const pem = publicKeyPem(pair.publicKey);
  let current: string | undefined;
  try {
    const bytes = readOptionalFile(paths.publicKey, MAX_KEY_FILE_BYTES);
    current = bytes === undefined ? undefined : decodeUtf8(bytes);
  } catch {
    current = undefined;
  }
  if (current !== pem) writeFileAtomic(paths.publicKey, pem, { mode: 0o644 });
  return { component, keyId: keyIdOf(pair.publicKey), privateKeyPath: paths.privateKey, publicKeyPath: paths.publicKey, pair, created: false };
}

/** A PEM key is a few hundred bytes; a key file far larger than that is not one. */
const MAX_KEY_FILE_BYTES = 64 << 10;

/**
 * Reads a private key file: a regular file of at most 64 KiB (a FIFO or a device is refused, never
 * waited on). Refuses one that group or others may read, as ssh does, judging the file it opened.
 */
export function readPrivateKeyFile(path: string): ComponentKeyPair {
  let text: string;
  try {
    const { bytes, stats } = readRegularFileWithStats(path, MAX_KEY_FILE_BYTES);
    if ((stats.mode & 0o077) !== 0) {
      throw new KeyError("KEY_PERMISSIONS", `private key is readable by group or others (mode ${(stats.mode & 0o777).toString(8)}): chmod 600 it`, path);
    }
    text = decodeUtf8(bytes);
  } catch (err) {
    if (err instanceof KeyError) throw err;
    const code = err instanceof ReftrailError ? err.code : "";
    throw new KeyError(code === "FILE_NOT_FOUND" ? "KEY_MISSING" : "KEY_FILE", code === "FILE_NOT_FOUND" ? "private key file does not exist" : `private key file ${err instanceof ReftrailError ? err.message : "cannot be read"}`, path);
  }
  try {
    return parsePrivateKey(text, "private key file");
  } catch (err) {
    throw err instanceof KeyError ? err.about(path) : err;
  }
}

/** Reads a private key PEM from an environment variable (a CI secret). */
export function readPrivateKeyEnv(name: string): ComponentKeyPair {
  const text = process.env[name];
  if (text === undefined || text.trim() === "") throw new KeyError("KEY_MISSING", `environment variable ${name} is not set`, `$${name}`);
  try {
    return parsePrivateKey(text, `the key in $${name}`);
  } catch (err) {
    throw err instanceof KeyError ? err.about(`$${name}`) : err;
  }
}

/** `REFTRAIL_KEY_` + the component name upper-cased, non-alphanumerics as `_` (ovmf-vars → REFTRAIL_KEY_OVMF_VARS). */
export function keyEnvName(prefix: string, component: string): string {
  return prefix + component.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}
