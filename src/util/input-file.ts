import { InputError, ReftrailError } from "./errors.js";
import { decodeUtf8, readError, readRegularFile } from "./read-file.js";

/**
 * Reading the files a verifier is given (reports, certificates, endorsements, keys), for the
 * library and the CLI alike: bounded, regular files only (or /dev/null as an empty one), and every
 * failure one InputError about `subject`, the name the caller gives the file (`--report r.bin`).
 */

/** Runs `fn`, turning any failure into an InputError about `subject` (an unknown one: cannot be read). */
export function asInput<T>(subject: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const { code, message } = readError(err);
    throw new InputError(code, message, subject);
  }
}

/** Runs a parser over an input: its ReftrailError becomes an InputError about `subject`, code and message kept; anything else is a bug and propagates. */
export function parsedInput<T>(subject: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ReftrailError) throw new InputError(err.code, err.message, subject);
    throw err;
  }
}

/** A whole (bounded) input file, refused if it changes while it is read. */
export function readInput(path: string, subject: string, maxBytes: number): Uint8Array {
  return asInput(subject, () => readRegularFile(path, maxBytes, { allowDevNull: true }));
}

/** A UTF-8 text input (documents, PEM): malformed UTF-8 is an error, never replaced. */
export function readInputText(path: string, subject: string, maxBytes: number): string {
  const bytes = readInput(path, subject, maxBytes);
  return asInput(subject, () => decodeUtf8(bytes));
}
