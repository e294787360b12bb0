import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { KeyRegistry } from "../schema/key-registry.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ReftrailError } from "../util/errors.js";
import { withFileLock } from "../util/file-lock.js";
import { decodeUtf8, readOptionalFile } from "../util/read-file.js";
import { parseKeyRegistry } from "./registry.js";

/** A registry lists public keys; a file far larger than any real one is not one. */
export const MAX_REGISTRY_BYTES = 16 << 20;

/** The registry file itself could not be read, locked, parsed or written (its subject is the file). */
export class RegistryFileError extends ReftrailError {}

function fileError(path: string, err: unknown): unknown {
  return err instanceof ReftrailError ? new RegistryFileError(err.code, err.message, path) : err;
}

/**
 * Reads a key registry file if there is one: a regular file within the limit, parsed and checked
 * whole (see parseKeyRegistry).
 */
export function readRegistryFile(path: string): KeyRegistry | undefined {
  try {
    const bytes = readOptionalFile(path, MAX_REGISTRY_BYTES);
    return bytes === undefined ? undefined : parseKeyRegistry(decodeUtf8(bytes), path).registry;
  } catch (err) {
    throw fileError(path, err);
  }
}

/**
 * Changes a key registry file as one step: under the file's lock, reads the current registry (or
 * none), applies `update`, and writes the result atomically if it changed. Concurrent updates are
 * therefore serialised and none is lost; when this returns, the update is on disk. Errors of the
 * file are RegistryFileErrors; those `update` throws pass unchanged.
 */
export async function updateRegistryFile<R>(path: string, update: (current: KeyRegistry | undefined) => { registry: KeyRegistry | undefined; changed: boolean; result: R }): Promise<R> {
  // A registry is created where it is named (beside new keys, say), as its lock must be.
  mkdirSync(dirname(path), { recursive: true });
  const locked = withFileLock(path, () => {
    const { registry, changed, result } = update(readRegistryFile(path));
    if (changed && registry !== undefined) {
      try {
        const text = `${JSON.stringify(registry, null, 2)}\n`;
        // What is written must load again: never leave a registry a verifier would refuse.
        parseKeyRegistry(text, path);
        writeFileAtomic(path, text);
      } catch (err) {
        throw fileError(path, err);
      }
    }
    return result;
  });
  try {
    return await locked;
  } catch (err) {
    throw err instanceof ReftrailError && (err.code === "LOCKED" || err.code === "LOCK_FAILED") ? fileError(path, err) : err;
  }
}
