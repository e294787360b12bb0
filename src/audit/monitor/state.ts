import { MonitorState, type MonitoredLog } from "../../schema/monitor-state.js";
import { parseDocument } from "../../schema/parse.js";

/** The state of a first run: no log seen, nothing reported, no asset read. */
export function emptyMonitorState(): MonitorState {
  return { version: 1, logs: {}, reported: [], statementAssets: {} };
}

/** A stored state, strictly: a state that fails its schema is refused whole, naming `what` and the field. */
export function parseMonitorState(text: string, what: string): MonitorState {
  return parseDocument(MonitorState, text, what);
}

export function serializeMonitorState(state: MonitorState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** A log's part of the state (own properties only: a log id is data, never an Object member). */
export function monitoredLog(state: MonitorState, logId: string): MonitoredLog {
  return Object.hasOwn(state.logs, logId) ? state.logs[logId]! : { entries: {} };
}

/** The state with every fingerprint in `fingerprints` recorded as reported. */
export function withReported(state: MonitorState, fingerprints: Iterable<string>): MonitorState {
  const reported = new Set(state.reported);
  for (const f of fingerprints) reported.add(f);
  return { ...state, reported: [...reported] };
}
