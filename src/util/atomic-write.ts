import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  linkSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
  type Stats,
} from "node:fs";
import { isatty } from "node:tty";
import { dirname, resolve } from "node:path";
import { ReftrailError } from "./errors.js";
import { isNullDevice } from "./read-file.js";
import { sweepLeftovers, tempPathFor } from "./temp-files.js";

export interface WriteOptions {
  /** Mode of a file that does not exist yet (default 0644, less the umask). An existing file keeps its own. */
  readonly mode?: number;
  /** Secret content (a private key): never readable by group or others, whatever mode the file had. */
  readonly secret?: boolean;
  /**
   * A command's result (`--out`): as shell redirection would, write through a FIFO (process
   * substitution), a terminal, /dev/null and /dev/stdout or /dev/stderr. Without it every
   * non-regular target is refused: reftrail's own files (keys, endorsements, log entries, a key
   * registry) are regular files or nothing.
   */
  readonly stream?: boolean;
}

export type WriteErrorCode = "OUTPUT_NOT_REGULAR" | "OUTPUT_IS_DIRECTORY" | "OUTPUT_SYMLINK_LOOP";

const MAX_SYMLINK_HOPS = 40;

/**
 * Writes a file so that readers see either the old content or the complete new one: the data goes
 * to a temporary file in the same directory, is flushed, then renamed over the target.
 *
 * - A symlink is followed: the file it names is replaced, the link stays.
 * - An existing file keeps its mode (and, when run as root, its owner); `mode` applies to new files
 *   from creation on, so a secret is never readable by others, not even briefly.
 * - A target that exists and is not a regular file is never replaced: with `stream` a FIFO, a
 *   terminal or /dev/null is written through (not atomically: it is a stream), anything else
 *   (a socket, a block device, another character device, a directory) is refused.
 * - Leftover temporary files of dead reftrail processes in the directory are removed first.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: WriteOptions | number = {}): void {
  const { mode = 0o644, secret = false, stream = false } = typeof options === "number" ? { mode: options } : options;
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  if (stream) {
    const fd = descriptorOf(path);
    if (fd !== undefined) return writeAll(fd, bytes);
  }
  const target = resolveSymlinks(path);
  const existing = target.stats;
  if (existing !== undefined && !existing.isFile()) return writeThrough(target.path, existing, bytes, stream);
  const dir = dirname(target.path);
  sweepLeftovers(dir);
  const temp = tempPathFor(target.path);
  const finalMode = (existing ? existing.mode & 0o7777 : mode) & (secret ? 0o600 : 0o7777);
  let fd: number | undefined;
  try {
    fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, finalMode);
    if (existing) {
      // The umask applied at creation; the existing file's mode and owner are restored exactly.
      if (process.getuid?.() === 0) tryChown(fd, existing);
      fchmodSync(fd, finalMode);
    }
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, target.path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  syncDirectory(dir);
}

/**
 * Creates `path` with its complete content, failing with EEXIST if anything is there already: the
 * data is staged under a temporary name and hard-linked into place (link() never replaces), so the
 * file is never seen half-written and concurrent creators cannot replace each other's file (a
 * signing key). A secret's mode applies from the first byte on.
 */
export function createFileExclusive(path: string, data: string | Uint8Array, mode: number): void {
  const dir = dirname(path);
  sweepLeftovers(dir);
  const staged = tempPathFor(path);
  const fd = openSync(staged, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    try {
      writeAll(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(staged, path);
  } finally {
    rmSync(staged, { force: true });
  }
  syncDirectory(dir);
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
}

function tryChown(fd: number, existing: Stats): void {
  try {
    fchownSync(fd, existing.uid, existing.gid);
  } catch {
    // A filesystem without owners (some network or FUSE mounts): the mode still holds.
  }
}

/** /dev/stdout, /dev/fd/N and /proc/self/fd/N: this process's own descriptor, written directly. */
function descriptorOf(path: string): number | undefined {
  if (path === "/dev/stdout") return 1;
  if (path === "/dev/stderr") return 2;
  const m = /^\/(?:dev\/fd|proc\/(self|[0-9]+)\/fd)\/([0-9]+)$/.exec(path);
  if (!m || (m[1] !== undefined && m[1] !== "self" && Number(m[1]) !== process.pid)) return undefined;
  return Number(m[2]);
}

/** The path a symlink chain ends at (which may not exist yet), with what is there. */
function resolveSymlinks(path: string): { path: string; stats: Stats | undefined } {
  let current = resolve(path);
  for (let hop = 0; hop <= MAX_SYMLINK_HOPS; hop++) {
    let stats: Stats;
    try {
      stats = lstatSync(current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { path: current, stats: undefined };
      throw err;
    }
    if (!stats.isSymbolicLink()) return { path: current, stats };
    // Relative link text is relative to the directory the link is in, as the kernel resolves it.
    let base = dirname(current);
    try {
      base = realpathSync(base);
    } catch {
      // Resolved lexically; opening it will report what is wrong.
    }
    current = resolve(base, readlinkSync(current));
  }
  throw new ReftrailError<WriteErrorCode>("OUTPUT_SYMLINK_LOOP", `is a chain of more than ${MAX_SYMLINK_HOPS} symbolic links`);
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isCharacterDevice()) return "a character device";
  return "not a regular file";
}

/**
 * A target that is not a regular file. A FIFO, /dev/null (or a node with its device number) and a
 * terminal are written through when the caller writes a command's result, as `> target` would;
 * nothing else is ever replaced or written to.
 */
function writeThrough(path: string, stats: Stats, bytes: Uint8Array, stream: boolean): void {
  if (stats.isDirectory()) throw new ReftrailError<WriteErrorCode>("OUTPUT_IS_DIRECTORY", "is a directory, expected a file");
  const refuse = () =>
    new ReftrailError<WriteErrorCode>(
      "OUTPUT_NOT_REGULAR",
      `is ${kindOf(stats)}, not a regular file: refusing to replace or write to it${stream ? " (omit --out to print to stdout)" : ""}`,
    );
  if (!stream || !(stats.isFIFO() || stats.isCharacterDevice())) throw refuse();
  // Blocking open, as a shell redirection: a FIFO waits for its reader.
  const fd = openSync(path, constants.O_WRONLY | constants.O_NOCTTY);
  try {
    const opened = fstatSync(fd);
    const allowed = opened.isFIFO() || (opened.isCharacterDevice() && (isNullDevice(opened) || isatty(fd)));
    if (!allowed || opened.ino !== stats.ino) throw refuse();
    writeAll(fd, bytes);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename durable. Some filesystems refuse fsync on directories; the rename is still atomic. */
export function syncDirectory(path: string): void {
  try {
    const fd = openSync(path, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // See above.
  }
}
