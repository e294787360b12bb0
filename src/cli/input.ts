import { closeSync, type Stats } from "node:fs";
import { decodeUtf8, openRegularFile, readError, readRegularFile } from "../util/read-file.js";
import { InputError } from "./errors.js";

/** What went wrong reading (or writing) a file, as a stable code and a one-line message. */
function describe(err: unknown): { code: string; message: string } {
  const known = readError(err);
  return { code: known.code, message: known.message };
}

/** `--option path` as shown in messages. */
export function fileSubject(option: string, path: string): string {
  return option ? `${option} ${path}` : path;
}

/**
 * Opens a command-line input: a regular file, or /dev/null as an empty one (see
 * util/read-file.ts). Returns the open descriptor.
 */
export function openInput(path: string, maxBytes = Number.MAX_SAFE_INTEGER): { fd: number; stats: Stats } {
  return openRegularFile(path, maxBytes, { allowDevNull: true });
}

/** Runs `fn`, turning any failure into an InputError that names the option and path. */
export function asInputError<T>(option: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const { code, message } = describe(err);
    throw new InputError(code, message, fileSubject(option, path));
  }
}

/** Fails now, naming the option, if `path` is not a readable regular file (before any long work). */
export function checkInputFile(option: string, path: string, maxBytes = Number.MAX_SAFE_INTEGER): void {
  asInputError(option, path, () => closeSync(openInput(path, maxBytes).fd));
}

/** Reads a whole (bounded) input file, refusing one that changes while it is read. */
export function readInputFile(option: string, path: string, maxBytes: number): Uint8Array {
  return asInputError(option, path, () => readRegularFile(path, maxBytes, { allowDevNull: true }));
}

/** A UTF-8 text input (manifests, documents): malformed UTF-8 is an error, never replaced. */
export function readTextInput(option: string, path: string, maxBytes: number): string {
  const bytes = readInputFile(option, path, maxBytes);
  return asInputError(option, path, () => decodeUtf8(bytes));
}

export function inputFileSize(option: string, path: string): number {
  return asInputError(option, path, () => {
    const { fd, stats } = openInput(path);
    closeSync(fd);
    return stats.size;
  });
}

export { describe as describeFileError };
