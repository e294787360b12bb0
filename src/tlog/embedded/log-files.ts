import { mkdirSync, statSync, type Stats } from "node:fs";
import { readRegularFile } from "../../util/read-file.js";
import { ReftrailError } from "../../util/errors.js";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { dirname, join } from "node:path";
import { TlogError } from "../errors.js";

/** The files of an embedded log's folder. */
export interface LogPaths {
  readonly dir: string;
  readonly database: string;
  readonly privateKey: string;
  readonly publicKey: string;
}

export function logPaths(dir: string): LogPaths {
  return { dir, database: join(dir, "log.db"), privateKey: join(dir, "log-key.pem"), publicKey: join(dir, "log-public-key.pem") };
}

const errnoText = (err: unknown): string => {
  if (err instanceof ReftrailError) return err.message;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOTDIR") return "a folder on its path is a file";
  return code ?? String(err);
};

/** A file-system failure on a log file as a one-line TlogError naming it (Node's messages start with the errno). */
export function logFileError(err: unknown, path: string, what: string): TlogError {
  return new TlogError("LOG_STATE", `${path} ${what} (${errnoText(err)})`);
}

/** The stats of `path`, undefined if it does not exist; any other failure names the path. */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw logFileError(err, path, "cannot be read");
  }
}

/**
 * Checks that `dir` is a log's folder before anything is opened, so that each way of naming the
 * wrong thing (nothing, a file, a folder without a log) is told apart.
 */
export function checkLogFolder(dir: string): LogPaths {
  const paths = logPaths(dir);
  const folder = statOf(dir);
  if (folder === undefined) throw new TlogError("LOG_STATE", `${dir} holds no log: it does not exist (run 'reftrail log init --log ${dir}')`);
  if (!folder.isDirectory()) throw new TlogError("LOG_STATE", `${dir} is not a folder (a log is a folder holding log.db and log-key.pem)`);
  const database = statOf(paths.database);
  if (database === undefined) throw new TlogError("LOG_STATE", `${dir} holds no log: it has no log.db (run 'reftrail log init --log ${dir}')`);
  if (!database.isFile()) throw new TlogError("LOG_STATE", `${paths.database} is not a regular file`);
  const key = statOf(paths.privateKey);
  if (key === undefined) throw new TlogError("LOG_KEY", `${paths.privateKey} is missing: the log cannot sign without its key`);
  if (!key.isFile()) throw new TlogError("LOG_KEY", `${paths.privateKey} is not a regular file`);
  if ((key.mode & 0o077) !== 0) throw new TlogError("LOG_KEY", `${paths.privateKey} is readable by group or others: restrict it to its owner (chmod 600)`);
  return paths;
}

export function readLogKey(path: string): KeyObject {
  let pem: Uint8Array;
  try {
    // A PEM key is a few hundred bytes: a regular file within 64 KiB, never a FIFO waited on.
    pem = readRegularFile(path, 64 << 10);
  } catch (err) {
    throw logFileError(err, path, "cannot be read");
  }
  try {
    return createPrivateKey(Buffer.from(pem));
  } catch {
    throw new TlogError("LOG_KEY", `${path} is not a PEM private key`);
  }
}

/**
 * `mkdir -p` with mode 0700, by hand: Node's recursive mkdirSync never returns when mkdir keeps
 * failing with ENOENT under an existing parent (e.g. `/proc/x`).
 */
export function makeLogFolder(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o700 });
    return;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") {
      if (statOf(dir)?.isDirectory()) return;
      throw new TlogError("LOG_STATE", `${dir} exists and is not a folder`);
    }
    if (code !== "ENOENT" || dirname(dir) === dir) throw logFileError(err, dir, "cannot be created");
  }
  makeLogFolder(dirname(dir));
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    // EEXIST: a concurrent init made it meanwhile.
    if ((err as NodeJS.ErrnoException).code !== "EEXIST" || !statOf(dir)?.isDirectory()) throw logFileError(err, dir, "cannot be created");
  }
}
