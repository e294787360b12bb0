import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
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

export function endorsementPath(dir: string, file: EndorsementFile): string {
  return join(dir, ENDORSEMENT_FILES[file]);
}

function syncDir(path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; rename is still atomic.
  }
}

/**
 * Creates a component folder with its signed files all at once: they are written into a staging
 * folder that is then renamed into place, so a crash leaves either no folder or a complete one.
 */
export function createEndorsementDir(dir: string, files: Partial<Record<EndorsementFile, Uint8Array | string>>): void {
  mkdirSync(dirname(dir), { recursive: true });
  if (existsSync(dir)) throw new EndorseError("ENDORSEMENT_EXISTS", "the folder already exists", dir);
  const staging = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
  mkdirSync(staging, { mode: 0o755 });
  try {
    for (const [file, data] of Object.entries(files)) writeFileAtomic(join(staging, ENDORSEMENT_FILES[file as EndorsementFile]), data);
    syncDir(staging);
    renameSync(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === "ENOTEMPTY" || (err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new EndorseError("ENDORSEMENT_EXISTS", "the folder was created by someone else meanwhile", dir);
    }
    throw err;
  }
  syncDir(dirname(dir));
}

/** Reads one file of a component folder, or undefined if it does not exist. */
export function readEndorsementFile(dir: string, file: EndorsementFile): Buffer | undefined {
  const path = endorsementPath(dir, file);
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new EndorseError("ENDORSEMENT_INVALID", `cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`, path);
  }
}
