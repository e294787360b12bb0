import { EmbeddedLog, initLog, logPaths } from "../tlog/embedded/log.js";
import { storageError } from "../tlog/embedded/store.js";
import { TlogError } from "../tlog/errors.js";
import { ReftrailError } from "../util/errors.js";
import { UsageError } from "./errors.js";

export const DEFAULT_LOG_DIR = ".reftrail/log";

/** `--log DIR`, as `publish release` names the embedded log's folder, in every `log` command. */
export const LOG_DIR_OPTION = {
  log: { type: "string", value: "DIR", description: `log directory (default ${DEFAULT_LOG_DIR})` },
} as const;

/**
 * The `log` commands called the folder `--data` before it took `publish release`'s name; a script
 * still passing it gets told the new name rather than a bare "unknown option".
 */
export function refuseRenamedLogOption(command: string, argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === "--") return;
    if (arg === "--data" || arg.startsWith("--data=")) throw new UsageError(`was renamed to --log DIR (see 'reftrail ${command} --help')`, "--data");
  }
}

/** Names `--log DIR` in a failure of the log, and states a SQLite failure in one line naming log.db. */
function aboutLogDir(err: unknown, dir: string): unknown {
  const mapped = storageError(err, logPaths(dir).database);
  return mapped instanceof ReftrailError ? mapped.about(`--log ${dir}`) : mapped;
}

/** Opens the log in `--log DIR` (a long-running command closes it itself). */
export function openLogDir(dir: string): EmbeddedLog {
  try {
    return EmbeddedLog.open(dir);
  } catch (err) {
    throw aboutLogDir(err, dir);
  }
}

/**
 * Runs `fn` on the log in `--log DIR` and closes it. A database found corrupt only while `fn` reads
 * it (a truncated copy can pass the checks at open) still fails as one line naming the file.
 */
export function withLogDir<T>(dir: string, fn: (log: EmbeddedLog) => T): T {
  const log = openLogDir(dir);
  try {
    return fn(log);
  } catch (err) {
    throw aboutLogDir(err, dir);
  } finally {
    log.close();
  }
}

/** Creates a log in `--log DIR`; a bad `--name` is named as such, anything else names the folder. */
export function initLogDir(dir: string, name: string | undefined): ReturnType<typeof initLog> {
  try {
    return initLog(dir, name);
  } catch (err) {
    if (err instanceof TlogError && err.code === "LOG_NAME") throw err.about("--name");
    throw aboutLogDir(err, dir);
  }
}
