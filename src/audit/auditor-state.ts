import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { AuditorState } from "../schema/auditor-state.js";
import { parseDocument } from "../schema/parse.js";
import type { RekorClient } from "../tlog/client.js";
import type { TrustedLogKey } from "../tlog/keys.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { InputError } from "../util/errors.js";
import { readInputText } from "../util/input-file.js";
import { formatRfc3339 } from "../util/rfc3339.js";
import { checkLogHead, type LogHead } from "./monitor/log-head.js";

export type { AuditorState };

/** The auditor's state folder when none is given. */
export const DEFAULT_AUDITOR_STATE_DIR = ".reftrail/auditor";
const STATE_FILE = "auditor-state.json";
const MAX_STATE_BYTES = 16 << 20;

export function emptyAuditorState(): AuditorState {
  return { version: 1, logs: {} };
}

/** The state kept in `dir` (an empty one when the folder or its file does not exist yet); a state that fails its schema is refused whole. */
export function loadAuditorState(dir: string, subject = dir): AuditorState {
  const path = join(dir, STATE_FILE);
  if (!existsSync(path)) return emptyAuditorState();
  return parseDocument(AuditorState, readInputText(path, `${subject}/${STATE_FILE}`, MAX_STATE_BYTES), `${subject}/${STATE_FILE}`);
}

/** Writes the state atomically: a run interrupted half-way leaves the previous state whole. */
export function storeAuditorState(dir: string, state: AuditorState, subject = dir): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    writeFileAtomic(join(dir, STATE_FILE), `${JSON.stringify(AuditorState.parse(state), null, 2)}\n`, 0o644);
  } catch (err) {
    throw new InputError("OUTPUT_NOT_WRITABLE", `cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, subject);
  }
}

/** The checkpoint stored for a log (own properties only: a log id is data, never an Object member). */
export function storedCheckpoint(state: AuditorState, logId: string): AuditorState["logs"][string] | undefined {
  return Object.hasOwn(state.logs, logId) ? state.logs[logId] : undefined;
}

export interface AuditedHead {
  /** The log's checkpoint judged against the stored one (checkLogHead: CHECKPOINT, ROLLBACK, FORK). */
  readonly head: LogHead;
  /** The checkpoint stored before this run, if any. */
  readonly stored?: AuditorState["logs"][string];
  /** The state to store: advanced to the new checkpoint only when it verified and is consistent with the stored one. */
  readonly state: AuditorState;
  readonly advanced: boolean;
}

/**
 * Verifies the log's current checkpoint and its consistency with the one the auditor verified
 * before. A checkpoint that does not verify, is smaller, or is not an extension of the stored one
 * is reported and NOT stored: the next run checks the log against the stored checkpoint again.
 */
export async function auditLogHead(client: RekorClient, log: TrustedLogKey, state: AuditorState, now: bigint): Promise<AuditedHead> {
  const logId = log.identity.logId;
  const stored = storedCheckpoint(state, logId);
  const head = await checkLogHead(client, log, stored?.checkpoint);
  const advanced = head.problem === undefined && head.verified !== undefined && head.keep !== undefined;
  const next: AuditorState = advanced ? { ...state, logs: { ...state.logs, [logId]: { source: log.source, checkpoint: head.keep!, verifiedAt: formatRfc3339(now) } } } : state;
  return { head, ...(stored ? { stored } : {}), state: next, advanced };
}
