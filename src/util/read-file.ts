import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from "node:fs";
import { ReftrailError } from "./errors.js";
import { assertUnchanged } from "./unchanged.js";

export type ReadErrorCode = "FILE_NOT_FOUND" | "FILE_NOT_READABLE" | "FILE_IS_DIRECTORY" | "FILE_NOT_REGULAR" | "FILE_TOO_LARGE" | "FILE_CHANGED" | "NOT_UTF8";

export interface ReadOptions {
  /** Accept /dev/null as an empty file (sev-snp-measure's own tests pass it as kernel and initrd). */
  readonly allowDevNull?: boolean;
}

/** An input that cannot be read, as a one-line error with a stable code (the caller names the file). */
export function readError(err: unknown): ReftrailError {
  if (err instanceof ReftrailError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return new ReftrailError<ReadErrorCode>("FILE_NOT_FOUND", "no such file");
    case "EACCES":
    case "EPERM":
      return new ReftrailError<ReadErrorCode>("FILE_NOT_READABLE", "permission denied");
    case "EISDIR":
      return new ReftrailError<ReadErrorCode>("FILE_IS_DIRECTORY", "is a directory, expected a file");
    default:
      return new ReftrailError<ReadErrorCode>("FILE_NOT_READABLE", code ? `cannot be read (${code})` : "cannot be read");
  }
}

let devNull: Stats | undefined;
function devNullStats(): Stats {
  devNull ??= statSync("/dev/null");
  return devNull;
}

/** A character device with /dev/null's device number: /dev/null itself, or a node made like it. */
export function isNullDevice(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === devNullStats().rdev;
}

/** /dev/null itself (as an input, an empty file). */
function isDevNull(st: Stats): boolean {
  return isNullDevice(st) && st.ino === devNullStats().ino;
}

/**
 * Opens an input without blocking (a FIFO would block a plain open) and checks what was opened, not
 * what the path named a moment before: only regular files (and /dev/null where allowed), since a
 * device such as /dev/zero never ends and a FIFO may never deliver. Returns the open descriptor.
 */
export function openRegularFile(path: string, maxBytes = Number.MAX_SAFE_INTEGER, options: ReadOptions = {}): { fd: number; stats: Stats } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw readError(err);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw readError({ code: "EISDIR" });
    if (!stats.isFile() && !(options.allowDevNull && isDevNull(stats))) {
      throw new ReftrailError<ReadErrorCode>("FILE_NOT_REGULAR", "is not a regular file (a device, pipe or socket)");
    }
    if (stats.size > maxBytes) {
      throw new ReftrailError<ReadErrorCode>("FILE_TOO_LARGE", `is ${stats.size} bytes, more than the ${maxBytes} this input may have`);
    }
    return { fd, stats };
  } catch (err) {
    closeSync(fd);
    throw readError(err);
  }
}

/** Reads a whole regular file of at most `maxBytes`, refusing one that changes while it is read. */
export function readRegularFile(path: string, maxBytes: number, options: ReadOptions = {}): Uint8Array {
  return readRegularFileWithStats(path, maxBytes, options).bytes;
}

/** As readRegularFile, with the status of the file that was read (its mode, say), from the same descriptor. */
export function readRegularFileWithStats(path: string, maxBytes: number, options: ReadOptions = {}): { bytes: Uint8Array; stats: Stats } {
  const { fd, stats } = openRegularFile(path, maxBytes, options);
  try {
    // Never more than the size fstat gave (plus one byte to notice growth): a file that grows while
    // it is read cannot make this allocate without bound.
    const bytes = new Uint8Array(stats.size + 1);
    let total = 0;
    for (;;) {
      const n = readSync(fd, bytes, total, bytes.byteLength - total, null);
      if (n === 0) break;
      total += n;
      if (total === bytes.byteLength) break;
    }
    assertUnchanged(stats, fstatSync(fd), total);
    return { bytes: bytes.subarray(0, total), stats };
  } catch (err) {
    throw readError(err);
  } finally {
    closeSync(fd);
  }
}

/** As readRegularFile, or undefined when nothing exists at `path`. */
export function readOptionalFile(path: string, maxBytes: number): Uint8Array | undefined {
  try {
    return readRegularFile(path, maxBytes);
  } catch (err) {
    if (err instanceof ReftrailError && err.code === "FILE_NOT_FOUND") return undefined;
    throw err;
  }
}

/** UTF-8 text: malformed sequences are an error, never replaced; a byte-order mark is kept for the JSON reader to refuse. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new ReftrailError<ReadErrorCode>("NOT_UTF8", "is not UTF-8 text");
  }
}
