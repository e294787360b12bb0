import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MAX_STATEMENT_BYTES } from "../../schema/endorsement.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { readRegularFile } from "../../util/read-file.js";
import { logFileError } from "./log-files.js";

/**
 * The statements an embedded log was given, kept beside it in `statements/<sha256>.json`. A Rekor
 * entry holds only the hash of what was signed; a verifier that finds entries in the log by
 * component key needs the statements themselves, and for the embedded log they can live with it.
 * Content-addressed and never trusted: whoever reads one verifies it against its entry.
 */
export function statementsDir(logDir: string): string {
  return join(logDir, "statements");
}

/** Keeps `statement` (idempotent: an existing copy, which has the same name and so the same bytes, is kept). */
export function keepStatement(logDir: string, statement: Uint8Array): void {
  const dir = statementsDir(logDir);
  const path = join(dir, `${createHash("sha256").update(statement).digest("hex")}.json`);
  if (existsSync(path)) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileAtomic(path, statement, 0o644);
  } catch (err) {
    throw logFileError(err, path, "cannot be written");
  }
}

/** Every statement kept beside the log (none if it keeps none). */
export function keptStatements(logDir: string): Uint8Array[] {
  const dir = statementsDir(logDir);
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir)
      .filter((name) => /^[0-9a-f]{64}\.json$/.test(name))
      .sort()
      .map((name) => readRegularFile(join(dir, name), MAX_STATEMENT_BYTES));
  } catch (err) {
    throw logFileError(err, dir, "cannot be read");
  }
}
