import { closeSync, openSync, readFileSync, statSync, type Stats } from "node:fs";
import { InputError } from "./errors.js";

function describe(err: unknown): { code: string; message: string } {
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
  return `${option} ${path}`;
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
 * Stats `path` without opening it (opening a FIFO would block) and accepts only regular files or
 * /dev/null: a device such as /dev/zero never ends, and a measurement must be of bytes that stay put.
 */
function statInput(path: string, maxBytes: number): Stats {
  const st = statSync(path);
  if (st.isDirectory()) fail("EISDIR");
  if (!st.isFile() && !isDevNull(st)) fail("ENOTREG");
  if (st.size > maxBytes) fail("EFBIG", `is ${st.size} bytes, more than the ${maxBytes} this input may have`);
  return st;
}

function wrap<T>(option: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const { code, message } = describe(err);
    throw new InputError(code, message, fileSubject(option, path));
  }
}

/** Fails now, naming the option, if `path` is not a readable regular file (before any long work). */
export function checkInputFile(option: string, path: string, maxBytes = Number.MAX_SAFE_INTEGER): void {
  wrap(option, path, () => {
    statInput(path, maxBytes);
    closeSync(openSync(path, "r"));
  });
}

/** Reads a whole (bounded) input file. */
export function readInputFile(option: string, path: string, maxBytes: number): Uint8Array {
  return wrap(option, path, () => {
    statInput(path, maxBytes);
    return new Uint8Array(readFileSync(path));
  });
}

export function inputFileSize(option: string, path: string): number {
  return wrap(option, path, () => statInput(path, Number.MAX_SAFE_INTEGER).size);
}

export { describe as describeFileError };
