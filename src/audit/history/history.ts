import type { ComponentKey, LoadedRegistry } from "../../keys/registry.js";
import type { AuditHistory, HistoryEntry } from "../../schema/audit-history.js";
import { checkResult, verdictOf, type CheckResult } from "../../schema/verdict.js";
import type { RekorClient } from "../../tlog/client.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { InputError } from "../../util/errors.js";
import { formatRfc3339, secondsToNs } from "../../util/rfc3339.js";
import { toHex } from "../../util/bytes.js";
import { auditLogHead, type AuditorState } from "../auditor-state.js";
import type { ReferenceValuesLookup, ReleasedStatements } from "../monitor/released.js";
import type { EntryFingerprint } from "./changes.js";
import { NewestFirst } from "./newest-first.js";
import { HistoryContext, judgeHistoryEntry, type JudgedEntry } from "./entry.js";
import type { LogEntry } from "../../schema/rekor.js";
import { INDEX_CAP, entriesUnderKeys, type KeyedEntry } from "./entries.js";

export interface HistoryInput {
  readonly component: string;
  readonly client: RekorClient;
  readonly log: TrustedLogKey;
  readonly registry: LoadedRegistry;
  readonly statements: ReleasedStatements;
  readonly referenceValues?: ReferenceValuesLookup;
  /** Only entries integrated at or after this time (ns since the epoch). */
  readonly since?: bigint;
  readonly state: AuditorState;
  /** The run's time, for the state (ns since the epoch). */
  readonly now: bigint;
  /** Entries fetched at once (a remote log answers each in a round trip). */
  readonly batch?: number;
  /**
   * Receives the entries newest first instead of `history.entries` (which is then empty): a history
   * of 100,000 entries is written out as it is read, not held. With `logged`, each comes with the
   * log entry and statement it was judged on (the web viewer shows them); else those are dropped
   * as soon as the row is made.
   */
  readonly onEntry?: (entry: HistoryEntry, logged: LoggedHistoryEntry | undefined) => void;
  readonly logged?: boolean;
}

/** What a history row was judged on: the log's entry, the component key it is under, the statement when at hand. */
export interface LoggedHistoryEntry {
  readonly entry: LogEntry;
  readonly key: ComponentKey;
  readonly statement?: JudgedEntry["statement"];
  /** The body's signature (base64); "" when the body cannot be read. */
  readonly signature: string;
}

export interface HistoryRun {
  readonly history: AuditHistory;
  /** The auditor's state after this run: advanced only to a checkpoint that verified and extends the stored one. */
  readonly state: AuditorState;
}

const loggedOf = (entry: LogEntry, key: ComponentKey, judged: JudgedEntry): LoggedHistoryEntry => ({ entry, key, signature: judged.signature ?? "", ...(judged.statement ? { statement: judged.statement } : {}) });

/** A judged row on its way to the output, with what it is compared by and, if asked, what it was judged on. */
interface Item {
  readonly row: HistoryEntry;
  readonly fingerprint: EntryFingerprint | undefined;
  readonly logged: LoggedHistoryEntry | undefined;
}

/** Batches judged at once beyond the one being taken: enough to keep both cores busy, few enough to hold little. */
const IN_FLIGHT = 4;

/** How many failed or flagged entries the whole-history checks name. */
const SAMPLE = 10;

const WHOLE = {
  LOG_CHECKPOINT: "the log's checkpoint verifies and extends the one the auditor verified before",
  ENTRIES: "every entry under the component's keys verifies",
  REFERENCE_VALUES: "every entry's values are a reference-values document's",
  COMPLETE: "every entry under the component's keys was found",
} as const;

/**
 * The history of a component in a log: the log's checkpoint against the auditor's stored one, then
 * every entry under the component's registered keys (by the log's index, or the whole log read
 * when the index may have cut its answer), fetched and judged a batch at a time (only rows and small fingerprints are kept), newest first, each with what
 * changed since the entry before it. Pure over its sources: the caller stores `state`.
 */
export async function componentHistory(input: HistoryInput): Promise<HistoryRun> {
  const keys: readonly ComponentKey[] = input.registry.keysByComponent.get(input.component) ?? [];
  if (keys.length === 0) throw new InputError("COMPONENT_UNKNOWN", `the key registry lists no key for component '${input.component}'`);
  const audited = await auditLogHead(input.client, input.log, input.state, input.now);
  const verified = audited.head.problem === undefined ? audited.head.verified?.checkpoint : undefined;
  const ctx = new HistoryContext(input.client, input.log, verified, input.statements, input.referenceValues);
  const entries: HistoryEntry[] = [];
  const summary = { total: 0, failed: [] as HistoryEntry[], failedCount: 0, flagged: [] as number[], flaggedCount: 0 };
  const newestFirst = new NewestFirst<LoggedHistoryEntry | undefined>((row, logged) => {
    summary.total++;
    // An entry that verifies but matches no document is flagged, not failed: REFERENCE_VALUES says it.
    if (row.failures.some((f) => f !== "REFERENCE_VALUES") && summary.failedCount++ < SAMPLE) summary.failed.push(row);
    if (row.flagged !== undefined && summary.flaggedCount++ < SAMPLE) summary.flagged.push(row.logIndex);
    if (input.onEntry) input.onEntry(row, logged);
    else entries.push(row);
  });
  // Index answers come in no particular order (at most INDEX_CAP a key): held and sorted. A scan comes newest first: streamed.
  const unordered: Item[] = [];
  const take = ({ items, ordered }: { items: Item[]; ordered: boolean }) => {
    for (const item of items) {
      if (ordered) newestFirst.push(item.row, item.fingerprint, item.logged);
      else unordered.push(item);
    }
  };
  // A few batches judged at once, taken in the order they were read: while one batch's signatures
  // are verified off this thread (tlog/prehashed-batch.ts), the next batches' proofs and statements
  // are checked here.
  const judging: Promise<{ items: Item[]; ordered: boolean }>[] = [];
  const judge = async (batch: readonly KeyedEntry[], ordered: boolean) => {
    const judged = await Promise.all(
      batch
        .filter(({ entry }) => input.since === undefined || secondsToNs(entry.integratedTime) >= input.since)
        .map(async ({ key, entryId, entry, body }) => ({ judged: await judgeHistoryEntry(input.component, key, entryId, entry, ctx, body), entry, key })),
    );
    const items = judged.map(({ judged: j, entry, key }) => ({ row: { ...j.row, changes: [] }, fingerprint: j.fingerprint, logged: input.logged ? loggedOf(entry, key, j) : undefined }));
    return { items, ordered };
  };
  const source = await entriesUnderKeys(input.client, keys, verified?.size, input.batch ?? 64, async (batch, ordered) => {
    const next = judge(batch, ordered);
    // Awaited below, in order; marked handled now so a failure waiting its turn is not reported as unhandled.
    next.catch(() => undefined);
    judging.push(next);
    while (judging.length > IN_FLIGHT) take(await judging.shift()!);
  });
  while (judging.length > 0) take(await judging.shift()!);
  for (const item of unordered.sort((a, b) => b.row.logIndex - a.row.logIndex)) newestFirst.push(item.row, item.fingerprint, item.logged);
  newestFirst.finish();
  const head = audited.head;
  const checks: CheckResult[] = [
    head.problem === undefined && head.verified !== undefined
      ? checkResult.passed("LOG_CHECKPOINT", WHOLE.LOG_CHECKPOINT, `tree size ${head.verified.checkpoint.size}`, audited.stored ? `extends tree size ${audited.stored.checkpoint.size}` : undefined, audited.stored ? "consistent with the stored checkpoint" : "first checkpoint stored")
      : checkResult.failed("LOG_CHECKPOINT", WHOLE.LOG_CHECKPOINT, head.problem ? `${head.problem.kind}: ${head.problem.title}` : "the log's checkpoint did not verify"),
    summary.failedCount === 0
      ? checkResult.passed("ENTRIES", WHOLE.ENTRIES, `${summary.total} entries`)
      : checkResult.failed("ENTRIES", WHOLE.ENTRIES, `${summary.failedCount} of ${summary.total} entries fail: log index ${summary.failed.map((e) => `${e.logIndex} (${e.failures.filter((f) => f !== "REFERENCE_VALUES").join(", ")})`).join("; ")}${summary.failedCount > SAMPLE ? "; …" : ""}`),
  ];
  checks.push(
    source.kind === "index"
      ? checkResult.passed("COMPLETE", WHOLE.COMPLETE, `${source.ids} entries listed by the log's index`)
      : source.kind === "scan"
        ? checkResult.passed("COMPLETE", WHOLE.COMPLETE, `all ${source.size} entries of the log read`, undefined, `the index answers at most ${INDEX_CAP} ids a key, so the log was read whole`)
        : checkResult.failed("COMPLETE", WHOLE.COMPLETE, `the log's index answered ${INDEX_CAP} ids (its cap) and the log (${source.size} entries) is too large to read whole, or its checkpoint did not verify: the history may be incomplete`),
  );
  if (input.referenceValues !== undefined) {
    checks.push(
      summary.flaggedCount === 0
        ? checkResult.passed("REFERENCE_VALUES", WHOLE.REFERENCE_VALUES, `${summary.total} entries`)
        : checkResult.failed("REFERENCE_VALUES", WHOLE.REFERENCE_VALUES, `${summary.flaggedCount} entr${summary.flaggedCount === 1 ? "y matches" : "ies match"} no reference-values document: log index ${summary.flagged.join(", ")}${summary.flaggedCount > SAMPLE ? ", …" : ""}`),
    );
  }
  const current = head.verified;
  const history: AuditHistory = {
    ...verdictOf(checks),
    component: input.component,
    log: {
      source: input.log.source,
      logId: input.log.identity.logId,
      ...(current ? { checkpoint: { size: current.checkpoint.size, rootHash: toHex(current.checkpoint.rootHash), origin: current.checkpoint.origin, note: current.note } } : {}),
      ...(audited.stored ? { stored: { size: audited.stored.checkpoint.size, rootHash: audited.stored.checkpoint.rootHash } } : {}),
      advanced: audited.advanced,
      ...(head.problem ? { problem: { kind: head.problem.kind as "CHECKPOINT" | "ROLLBACK" | "FORK", title: head.problem.title } } : {}),
    },
    ...(input.since !== undefined ? { since: formatRfc3339(input.since) } : {}),
    keys: keys.map((k) => k.keyId),
    total: summary.total,
    entries,
  };
  return { history, state: audited.state };
}
