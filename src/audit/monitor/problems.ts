import { printable } from "../../util/printable.js";
import { formatRfc3339, secondsToNs } from "../../util/rfc3339.js";

/** The most characters of a detail an issue quotes (the log's or a statement's text, which anyone can write). */
const MAX_QUOTED = 500;

/**
 * Text from a log answer or a statement, made inert in an issue's markdown: one code span (no
 * mentions, links, HTML or formatting), control characters escaped, length bounded.
 */
export function quoted(text: string): string {
  const clipped = text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
  return `\`${printable(clipped).replace(/`/g, "'")}\``;
}

/**
 * What the monitor reports, one GitHub issue each:
 * - UNRELEASED: an entry signed by a component key whose statement is in no release, or whose values
 *   match no reference-values document (a rogue release, or a leaked key);
 * - INVALID_ENTRY: an entry signed by a component key that does not verify;
 * - ROLLBACK: the log is smaller than the checkpoint verified before;
 * - FORK: the log's history differs from the checkpoint verified before;
 * - CHECKPOINT: the log's checkpoint does not verify with its key.
 */
export type ProblemKind = "UNRELEASED" | "INVALID_ENTRY" | "ROLLBACK" | "FORK" | "CHECKPOINT";

export interface MonitorProblem {
  readonly kind: ProblemKind;
  /** Stable across runs: the same problem seen again has the same fingerprint, and is not reported twice. */
  readonly fingerprint: string;
  readonly title: string;
  /** Markdown: what was found, where, and what to do. */
  readonly body: string;
  readonly component?: string;
  readonly entryId?: string;
  readonly logIndex?: number;
}

/** The entry a problem is about, as the issue describes it. */
export interface EntryFacts {
  readonly component: string;
  readonly keyId: string;
  readonly entryId: string;
  readonly logIndex: number;
  readonly integratedTime: number;
  readonly logId: string;
  readonly artifactSha256?: string;
}

const fingerprintOf = (kind: ProblemKind, logId: string, ...what: readonly (string | number)[]) => ["reftrail-monitor", kind, logId, ...what].join(":");

function entryTable(e: EntryFacts): string {
  const rows: [string, string][] = [
    ["component", `\`${e.component}\``],
    ["key id", `\`${e.keyId}\``],
    ["log index", String(e.logIndex)],
    ["entry id", `\`${e.entryId}\``],
    ["integrated", formatRfc3339(secondsToNs(e.integratedTime))],
    ["log id", `\`${e.logId}\``],
    ...(e.artifactSha256 !== undefined ? ([["statement sha256", `\`${e.artifactSha256}\``]] as [string, string][]) : []),
  ];
  return ["| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join("\n");
}

const LEAKED_KEY_ADVICE =
  "If nobody in the project signed it, treat the component key as compromised: end its window in the key registry (`reftrail keys register --registry FILE --component NAME --key FILE --end TIME`), rotate to a new key, and tell your users. If it is a release made outside the pipeline, attach its endorsement to the release and commit its reference-values document.";

export function unreleasedProblem(e: EntryFacts, why: string): MonitorProblem {
  return {
    kind: "UNRELEASED",
    fingerprint: fingerprintOf("UNRELEASED", e.logId, e.entryId),
    title: `reftrail monitor: ${e.component}'s key signed an endorsement in no release (log index ${e.logIndex})`,
    body: [`An entry in the transparency log is signed by component **${e.component}**'s key, and ${why}.`, "", entryTable(e), "", LEAKED_KEY_ADVICE].join("\n"),
    component: e.component,
    entryId: e.entryId,
    logIndex: e.logIndex,
  };
}

export function invalidEntryProblem(e: EntryFacts, failed: string): MonitorProblem {
  return {
    kind: "INVALID_ENTRY",
    fingerprint: fingerprintOf("INVALID_ENTRY", e.logId, e.entryId),
    title: `reftrail monitor: an entry signed by ${e.component}'s key does not verify (log index ${e.logIndex})`,
    body: [
      `An entry in the transparency log found by component **${e.component}**'s key does not verify: ${quoted(failed)}`,
      "",
      entryTable(e),
      "",
      "Verifiers refuse this entry. Either the log served something it did not sign (check the log's status and re-run the monitor), or the entry was made with the component key outside its registered window or over a statement verifiers refuse; in that case the key was used outside the release pipeline: " +
        LEAKED_KEY_ADVICE,
    ].join("\n"),
    component: e.component,
    entryId: e.entryId,
    logIndex: e.logIndex,
  };
}

/** The checkpoint a log problem is measured against: the one verified before, and the one the log serves now. */
export interface LogFacts {
  readonly logId: string;
  readonly source: string;
  readonly stored?: { readonly size: number; readonly rootHash: string };
  readonly current: { readonly size: number; readonly rootHash: string };
}

function logTable(f: LogFacts): string {
  return [
    "| | tree size | root hash |",
    "|---|---|---|",
    ...(f.stored ? [`| verified before | ${f.stored.size} | \`${f.stored.rootHash}\` |`] : []),
    `| served now | ${f.current.size} | \`${f.current.rootHash}\` |`,
  ].join("\n");
}

const LOG_ADVICE =
  "The stored checkpoint is kept, so every later run checks the log against it again. Compare the log's checkpoint with other monitors or witnesses; if the log operator confirms a deliberate change (a new shard, a restored backup), remove this log's `checkpoint` from the monitor's state to accept the new history.";

/** Log problems are fingerprinted by the checkpoint they contradict: a log stuck on one fork is one issue, not one per run. */
export function logProblem(kind: "ROLLBACK" | "FORK" | "CHECKPOINT", f: LogFacts, detail: string): MonitorProblem {
  const anchor = f.stored ? [f.stored.size, f.stored.rootHash] : ["none"];
  const what = { ROLLBACK: "is smaller than the checkpoint verified before (a rollback)", FORK: "is not an extension of the checkpoint verified before (a fork)", CHECKPOINT: "serves a checkpoint that does not verify" }[kind];
  return {
    kind,
    fingerprint: fingerprintOf(kind, f.logId, ...anchor),
    title: `reftrail monitor: the log ${f.source} ${what}`,
    body: [`The transparency log **${f.source}** (log id \`${f.logId}\`) ${what}: ${quoted(detail)}`, "", logTable(f), "", LOG_ADVICE].join("\n"),
  };
}
