import { closeSync, fstatSync, openSync, readFileSync, statSync } from "node:fs";
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
    default:
      return { code: "FILE_NOT_READABLE", message: code ? `cannot be read (${code})` : "cannot be read" };
  }
}

/** `--option path` as shown in messages. */
export function fileSubject(option: string, path: string): string {
  return `${option} ${path}`;
}

export function readInputFile(option: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const { code, message } = describe(err);
    throw new InputError(code, message, fileSubject(option, path));
  }
}

export function inputFileSize(option: string, path: string): number {
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" });
    return st.size;
  } catch (err) {
    const { code, message } = describe(err);
    throw new InputError(code, message, fileSubject(option, path));
  }
}

/** Fails now, naming the option, if `path` is not a readable regular file (before any long work). */
export function checkInputFile(option: string, path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      if (fstatSync(fd).isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" });
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const { code, message } = describe(err);
    throw new InputError(code, message, fileSubject(option, path));
  }
}

export { describe as describeFileError };
