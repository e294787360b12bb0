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
