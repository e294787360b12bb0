import { join } from "node:path";
import { MAX_STATEMENT_BYTES } from "../../schema/endorsement.js";
import { statementsDir } from "../../tlog/embedded/statements.js";
import { InputError } from "../../util/errors.js";
import { readInput } from "../../util/input-file.js";
import type { ReleasedStatements } from "../monitor/released.js";

/**
 * The statements an embedded log kept (`statements/<sha256>.json`), read one at a time when an
 * entry asks for its hash: a history of 100,000 entries never holds every statement at once.
 * Content-addressed and never trusted: the caller checks the bytes against the entry.
 */
export function keptStatementsByHash(logDir: string, subject = logDir): ReleasedStatements {
  const dir = statementsDir(logDir);
  return {
    find(sha256) {
      if (!/^[0-9a-f]{64}$/.test(sha256)) return Promise.resolve(undefined);
      const path = join(dir, `${sha256}.json`);
      try {
        return Promise.resolve({ bytes: readInput(path, `${subject}/statements/${sha256}.json`, MAX_STATEMENT_BYTES), source: `${subject}/statements` });
      } catch (err) {
        // Opened without asking first whether it exists (a second system call per entry): absent is "not kept", anything else an error.
        if (err instanceof InputError && err.code === "FILE_NOT_FOUND") return Promise.resolve(undefined);
        return Promise.reject(err instanceof InputError ? err : new InputError("FILE_NOT_READABLE", "cannot be read", path));
      }
    },
  };
}
