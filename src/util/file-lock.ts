import { closeSync, constants, linkSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ReftrailError } from "./errors.js";
import { currentHost, currentProcess, processAlive } from "./process-owner.js";
import { tempPathFor } from "./temp-files.js";

/**
 * An exclusive lock on a file that several processes read, change and write back (a key registry):
 * without it, two updates that read the same version each write their own, and one is lost.
 *
 * The lock is a file `TARGET.lock` that appears whole with its holder (pid, start time, host) in
 * it: written under a temporary name and hard-linked into place, since link() fails when the name
 * exists. It is removed when the holder is done. A lock whose holder process is gone (killed, a
 * power cut) is broken by the next process, but only on the machine that made it; breaking is
 * itself serialised by a second lock, `TARGET.lock.break`, so that between checking that the
 * stale lock is still the one seen and removing it, no new holder's lock can be removed instead
 * (a new lock cannot appear while the stale one is there, and only a breaker removes it).
 */

export type LockErrorCode = "LOCKED" | "LOCK_FAILED";

export interface LockOptions {
  /** How long to wait for a live holder before failing (default 30 s). */
  readonly timeoutMs?: number;
}

interface Holder {
  readonly pid: number;
  readonly start: string;
  readonly host: string;
}

/** Creates `path` holding this process as its owner; false if anything is there already. */
function tryCreate(path: string): boolean {
  const staged = tempPathFor(path);
  const fd = openSync(staged, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    writeSync(fd, JSON.stringify({ ...currentProcess(), host: currentHost() }));
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(staged, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    rmSync(staged, { force: true });
  }
}

/** The lock file's holder and inode; "gone" if it vanished meanwhile; undefined holder if unreadable. */
function holderOf(path: string): { holder: Holder | undefined; ino: number; mtime: Date } | "gone" {
  let ino: number;
  let mtime: Date;
  let text: string;
  try {
    ({ ino, mtime } = statSync(path));
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw err;
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    if (typeof h.pid === "number" && typeof h.start === "string" && typeof h.host === "string") return { holder: { pid: h.pid, start: h.start, host: h.host }, ino, mtime };
  } catch {
    // Not a lock reftrail wrote: nobody can tell whether it is stale.
  }
  return { holder: undefined, ino, mtime };
}

function isStale(holder: Holder | undefined): boolean {
  return holder !== undefined && holder.host === currentHost() && !processAlive(holder);
}

/** Removes the lock at `path` if it is still the stale one (inode `ino`); true if the caller may retry at once. */
function breakStale(path: string, ino: number): boolean {
  const breaker = `${path}.break`;
  if (!tryCreate(breaker)) {
    const other = holderOf(breaker);
    // A breaker killed in its few instructions: remove its lock and let the next round break.
    if (other !== "gone" && isStale(other.holder)) rmSync(breaker, { force: true });
    return false;
  }
  try {
    let current: number | undefined;
    try {
      current = statSync(path).ino;
    } catch {
      current = undefined;
    }
    if (current === ino) unlinkSync(path);
    return true;
  } finally {
    rmSync(breaker, { force: true });
  }
}

/**
 * Runs `fn` holding the lock of `target`, waiting for another holder up to the timeout. The lock is
 * released however `fn` ends; a process killed while holding it leaves a stale lock that the next
 * process breaks.
 */
export async function withFileLock<T>(target: string, fn: () => T | Promise<T>, options: LockOptions = {}): Promise<T> {
  const path = `${target}.lock`;
  try {
    await acquire(path, options);
  } catch (err) {
    if (err instanceof ReftrailError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new ReftrailError<LockErrorCode>("LOCK_FAILED", code === "ENOENT" ? "its folder does not exist" : `its lock ${path} cannot be created (${code})`);
  }
  try {
    return await fn();
  } finally {
    rmSync(path, { force: true });
  }
}

async function acquire(path: string, options: LockOptions): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 5;
  while (!tryCreate(path)) {
    const seen = holderOf(path);
    if (seen === "gone") continue;
    if (isStale(seen.holder) && breakStale(path, seen.ino)) continue;
    if (Date.now() > deadline) {
      const who = seen.holder ? `process ${seen.holder.pid} on ${seen.holder.host}` : "an unknown holder";
      throw new ReftrailError<LockErrorCode>(
        "LOCKED",
        `is being updated by ${who} (lock ${path} since ${seen.mtime.toISOString()}); gave up after ${Math.round(timeoutMs / 1000)} s: if no such update is running, remove ${path}`,
      );
    }
    await sleep(delay + Math.floor(Math.random() * delay));
    delay = Math.min(delay * 2, 200);
  }
}
