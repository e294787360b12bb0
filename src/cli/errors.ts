import { ReftrailError } from "../util/errors.js";

/** Exit codes every command shares. */
export const ExitCode = { OK: 0, VERIFICATION_FAILED: 1, USAGE_OR_INPUT: 2 } as const;

/** A command line that cannot be acted on: unknown option, missing or malformed value. */
export class UsageError extends ReftrailError {
  constructor(message: string, subject?: string) {
    super("USAGE", message, subject);
  }
}

/** An input file that cannot be read (the library's error; the commands name the option in its subject). */
export { InputError } from "../util/errors.js";
