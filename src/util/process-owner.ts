import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/**
 * Who made a temporary file or holds a lock: the pid plus the process's start time (Linux /proc,
 * in clock ticks since boot; "0" where unknown), so that a recycled pid is not mistaken for the
 * process that is gone.
 */
export interface ProcessOwner {
  readonly pid: number;
  readonly start: string;
}

/** Start time of a process, or undefined where /proc does not say (or the process is gone). */
function startTime(pid: number | "self"): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // Field 22; the command name (field 2) may itself contain spaces and parentheses.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
}

let self: ProcessOwner | undefined;
export function currentProcess(): ProcessOwner {
  self ??= { pid: process.pid, start: startTime("self") ?? "0" };
  return self;
}

export function currentHost(): string {
  return hostname();
}

/**
 * False only when the process is certainly gone: no such pid, or the pid now belongs to a process
 * started at another time. A process of another user (EPERM) counts as alive.
 */
export function processAlive(owner: ProcessOwner): boolean {
  const me = currentProcess();
  if (owner.pid === me.pid) return owner.start === me.start;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  const now = startTime(owner.pid);
  return now === undefined || owner.start === "0" || now === owner.start;
}
