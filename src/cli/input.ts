import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from "node:fs";
import { ReftrailError } from "../util/errors.js";
import { assertUnchanged } from "../util/unchanged.js";
import { InputError } from "./errors.js";

function describe(err: unknown): { code: string; message: string } {
  if (err instanceof ReftrailError) return { code: err.code, message: err.message };
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return { code: "FILE_NOT_FOUND", message: "no such file" };
    case "EACCES":
    case "EPERM":
      return { code: "FILE_NOT_READABLE", message: "permission denied" };
    case "EISDIR":
      return { code: "FILE_IS_DIRECTORY", message: "is a directory, expected a file" };
    case "ENOTREG":
      return { code: "FILE_NOT_REGULAR", message: "is not a regular file (a device, pipe or socket)" };
    case "EFBIG":
      return { code: "FILE_TOO_LARGE", message: (err as Error).message };
    default:
      return { code: "FILE_NOT_READABLE", message: code ? `cannot be read (${code})` : "cannot be read" };
  }
}

/** `--option path` as shown in messages. */
export function fileSubject(option: string, path: string): string {
  return option ? `${option} ${path}` : path;
}

function fail(code: string, message = code): never {
  throw Object.assign(new Error(message), { code });
}

let devNull: Stats | undefined;

/** /dev/null stands for an empty file (sev-snp-measure's own tests pass it as kernel and initrd). */
function isDevNull(st: Stats): boolean {
  devNull ??= statSync("/dev/null");
  return st.isCharacterDevice() && st.rdev === devNull.rdev && st.ino === devNull.ino;
}

/**
 * Opens an input without blocking (a FIFO would block a plain open) and checks what was opened, not
 * what the path named a moment before: only regular files or /dev/null, since a device such as
 * /dev/zero never ends and a measurement must be of bytes that stay put. Returns the open descriptor.
 */
export function openInput(path: string, maxBytes = Number.MAX_SAFE_INTEGER): { fd: number; stats: Stats } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) fail("EISDIR");
    if (!stats.isFile() && !isDevNull(stats)) fail("ENOTREG");
    if (stats.size > maxBytes) fail("EFBIG", `is ${stats.size} bytes, more than the ${maxBytes} this input may have`);
    return { fd, stats };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
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
  return asInputError(option, path, () => {
    const { fd, stats } = openInput(path, maxBytes);
    try {
      const bytes = new Uint8Array(readFileSync(fd));
      assertUnchanged(stats, fstatSync(fd), bytes.byteLength);
      return bytes;
    } finally {
      closeSync(fd);
    }
  });
}

/** A UTF-8 text input (manifests, documents): malformed UTF-8 is an error, never replaced. */
export function readTextInput(option: string, path: string, maxBytes: number): string {
  const bytes = readInputFile(option, path, maxBytes);
  try {
    // ignoreBOM keeps a byte-order mark in the text, so the JSON reader can refuse it as documented.
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError("NOT_UTF8", "is not UTF-8 text", fileSubject(option, path));
  }
}

export function inputFileSize(option: string, path: string): number {
  return asInputError(option, path, () => {
    const { fd, stats } = openInput(path);
    closeSync(fd);
    return stats.size;
  });
}

export { describe as describeFileError };
