import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { emptyMonitorState, parseMonitorState, serializeMonitorState } from "../../../src/audit/monitor/state.js";
import type { MonitorState } from "../../../src/schema/monitor-state.js";
import { writeFileAtomic } from "../../../src/util/atomic-write.js";
import { readInputText } from "../../../src/util/input-file.js";
import { defaultBranch, ensureBranch, readRepositoryFile, writeRepositoryFile } from "../common/contents.js";
import type { GitHub } from "../common/github.js";
import type { RunContext } from "../common/runner.js";
import type { StateLocation } from "./inputs.js";

/** A state file far larger than a monitor of any real project writes is not one. */
const MAX_STATE_BYTES = 64 << 20;

/** The state as read, and how to store the next one where it came from. */
export interface StoredState {
  readonly state: MonitorState;
  /** Where it lives, for messages. */
  readonly where: string;
  readonly created: boolean;
  save(next: MonitorState, message: string): Promise<"written" | "unchanged">;
}

/**
 * Reads the monitor's state. On a branch: the branch is made from the default branch if missing,
 * and the file is written back with the blob sha it was read at, so two concurrent runs cannot both
 * advance it (the second fails and repeats its window). In a file: read if present, written atomically.
 */
export async function loadState(github: GitHub, context: RunContext, location: StateLocation): Promise<StoredState> {
  if (location.kind === "file") {
    const where = `input 'state-file' ${location.path}`;
    const exists = existsSync(location.path);
    const state = exists ? parseMonitorState(readInputText(location.path, where, MAX_STATE_BYTES), location.path) : emptyMonitorState();
    return {
      state,
      where: location.path,
      created: !exists,
      save: (next) => {
        mkdirSync(dirname(location.path), { recursive: true });
        writeFileAtomic(location.path, serializeMonitorState(next));
        return Promise.resolve("written");
      },
    };
  }
  await ensureBranch(github, context, location.branch, await defaultBranch(github, context));
  const file = await readRepositoryFile(github, context, location.path, location.branch);
  const where = `${location.path} on branch ${location.branch}`;
  const state = file === undefined ? emptyMonitorState() : parseMonitorState(file.bytes.toString("utf8"), where);
  return {
    state,
    where,
    created: file === undefined,
    save: (next, message) => writeRepositoryFile(github, context, location.branch, location.path, Buffer.from(serializeMonitorState(next)), message, file === undefined ? undefined : { sha: file.sha }),
  };
}
