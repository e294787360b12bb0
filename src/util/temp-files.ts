import { readdirSync, rmSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { basename, dirname, join } from "node:path";
import { currentHost, currentProcess, processAlive } from "./process-owner.js";

/**
 * Temporary files and staged folders are named after the process that made them, so that a later
 * run can tell the leftovers of a killed process (which nobody will ever finish or remove) from the
 * work in progress of a live one, and remove only the former (see process-owner.ts).
 */
const MARK = ".reftrail-tmp-";
/** `.NAME.reftrail-tmp-HOST-PID-START-RANDOM`, HOST a short hash of the host name. */
const LEFTOVER = /^\..*\.reftrail-tmp-([0-9a-f]{8})-([0-9]+)-([0-9]+)-[0-9a-f]{8}$/;
/** A long base name is shortened so that the temporary name stays within NAME_MAX (255). */
const MAX_BASE = 120;

let host: string | undefined;
/** On a folder shared between machines, only this machine's leftovers can be judged. */
function hostTag(): string {
  host ??= createHash("sha256").update(currentHost()).digest("hex").slice(0, 8);
  return host;
}

function owner(): string {
  const { pid, start } = currentProcess();
  return `${hostTag()}-${pid}-${start}`;
}

/** A fresh name beside `target` for a temporary file or a staging folder of this process. */
export function tempPathFor(target: string): string {
  const base = basename(target).slice(0, MAX_BASE);
  return join(dirname(target), `.${base}${MARK}${owner()}-${randomBytes(4).toString("hex")}`);
}

/**
 * Removes the temporary files and staged folders that dead reftrail processes left in `dir` (a
 * killed run, a power cut). Best effort: a leftover that cannot be removed stays, and nothing of a
 * live process, nor any file reftrail did not name, is touched. Returns the names removed.
 */
export function sweepLeftovers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = LEFTOVER.exec(name);
    if (!m || m[1] !== hostTag() || processAlive({ pid: Number(m[2]), start: m[3]! })) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Left for a later run (or its owner) to remove.
    }
  }
  return removed;
}
