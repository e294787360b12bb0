import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { MAX_STATEMENT_BYTES } from "../schema/endorsement.js";
import { syncDirectory, writeFileAtomic } from "../util/atomic-write.js";
import { ReftrailError } from "../util/errors.js";
import { readOptionalFile } from "../util/read-file.js";
import { sweepLeftovers, tempPathFor } from "../util/temp-files.js";
import { EndorseError } from "./errors.js";

/** One folder per component, with Oak's release file names plus the Sigstore bundle. */
export const ENDORSEMENT_FILES = {
  statement: "endorsement.json",
  signature: "endorsement.json.sig",
  publicKey: "public_key.pem",
  logEntry: "logentry.json",
  bundle: "endorsement.sigstore.json",
} as const;

export type EndorsementFile = keyof typeof ENDORSEMENT_FILES;

/**
 * The most each file of a component folder may hold, for every reader (endorse, publish, verify):
 * a statement as large as a verifier accepts, and far more than any real signature, key, log entry
 * or bundle needs, so that a device or a runaway file in a folder is refused instead of read.
 */
export const ENDORSEMENT_FILE_LIMITS: Readonly<Record<EndorsementFile, number>> = {
  statement: MAX_STATEMENT_BYTES,
  signature: 64 << 10,
  publicKey: 64 << 10,
  logEntry: 16 << 20,
  bundle: 16 << 20,
};

export function endorsementPath(dir: string, file: EndorsementFile): string {
  return join(dir, ENDORSEMENT_FILES[file]);
}

/**
 * Creates a component folder with its signed files all at once: they are written into a staging
 * folder that is then renamed into place, so a crash leaves either no folder or a complete one (and
 * the staging folder of a killed run is removed by the next one).
 */
export function createEndorsementDir(dir: string, files: Partial<Record<EndorsementFile, Uint8Array | string>>): void {
  mkdirSync(dirname(dir), { recursive: true });
  sweepLeftovers(dirname(dir));
  if (existsSync(dir)) throw new EndorseError("ENDORSEMENT_EXISTS", "the folder already exists", dir);
  const staging = tempPathFor(dir);
  mkdirSync(staging, { mode: 0o755 });
  try {
    for (const [file, data] of Object.entries(files)) writeFileAtomic(join(staging, ENDORSEMENT_FILES[file as EndorsementFile]), data);
    syncDirectory(staging);
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === "ENOTEMPTY" || (err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new EndorseError("ENDORSEMENT_EXISTS", "the folder was created by someone else meanwhile", dir);
    }
    throw err;
  }
  syncDirectory(dirname(dir));
}

/**
 * Reads one file of a component folder, or undefined if it does not exist. Like every verifier
 * input it must be a regular file within its limit: a FIFO or /dev/zero in a folder is refused.
 */
export function readEndorsementFile(dir: string, file: EndorsementFile): Buffer | undefined {
  const path = endorsementPath(dir, file);
  try {
    const bytes = readOptionalFile(path, ENDORSEMENT_FILE_LIMITS[file]);
    return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (err) {
    throw new EndorseError("ENDORSEMENT_INVALID", err instanceof ReftrailError ? err.message : "cannot be read", path);
  }
}
