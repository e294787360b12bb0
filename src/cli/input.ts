import { closeSync, type Stats } from "node:fs";
import { asInput, readInput, readInputText } from "../util/input-file.js";
import { openRegularFile, readError } from "../util/read-file.js";

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
  return asInput(fileSubject(option, path), fn);
}

/** Fails now, naming the option, if `path` is not a readable regular file (before any long work). */
export function checkInputFile(option: string, path: string, maxBytes = Number.MAX_SAFE_INTEGER): void {
  asInputError(option, path, () => closeSync(openInput(path, maxBytes).fd));
}

/** Reads a whole (bounded) input file, refusing one that changes while it is read. */
export function readInputFile(option: string, path: string, maxBytes: number): Uint8Array {
  return readInput(path, fileSubject(option, path), maxBytes);
}

/** A UTF-8 text input (manifests, documents): malformed UTF-8 is an error, never replaced. */
export function readTextInput(option: string, path: string, maxBytes: number): string {
  return readInputText(path, fileSubject(option, path), maxBytes);
}

export function inputFileSize(option: string, path: string): number {
  return asInputError(option, path, () => {
    const { fd, stats } = openInput(path);
    closeSync(fd);
    return stats.size;
  });
}

/** What went wrong reading (or writing) a file, as a stable code and a one-line message. */
export function describeFileError(err: unknown): { code: string; message: string } {
  const known = readError(err);
  return { code: known.code, message: known.message };
}
