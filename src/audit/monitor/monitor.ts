import { publicKeyPem } from "../../keys/component-keys.js";
import type { ComponentKey, LoadedRegistry } from "../../keys/registry.js";
import type { MonitorState, MonitoredLog } from "../../schema/monitor-state.js";
import type { RekorClient } from "../../tlog/client.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { ReftrailError } from "../../util/errors.js";
import { INDEX_CAP, SCAN_LIMIT, scanRange } from "../history/entries.js";
import { judgeEntry, type EntryContext } from "./entry.js";
import { checkLogHead } from "./log-head.js";
import type { MonitorProblem } from "./problems.js";
import type { ReferenceValuesLookup, ReleasedStatements } from "./released.js";
import { monitoredLog } from "./state.js";

export interface MonitorInput {
  readonly client: RekorClient;
  readonly log: TrustedLogKey;
  readonly registry: LoadedRegistry;
  /** Where the registry came from, for messages. */
  readonly registrySource: string;
  readonly statements: ReleasedStatements;
  readonly referenceValues: ReferenceValuesLookup;
  readonly state: MonitorState;
  /** Entries fetched at once (a remote log answers each in a round trip). */
  readonly concurrency?: number;
}

export interface ComponentCount {
  readonly component: string;
  /** New entries checked in this run. */
  readonly checked: number;
  /** Entries by the component's keys the log holds within the verified checkpoint, checked now or before. */
  readonly total: number;
}

export interface MonitorRun {
  /** The state to store once every new problem is reported (the fingerprints are the caller's to add). */
  readonly state: MonitorState;
  /** Problems not reported before (their fingerprints are not in the state), in log order. */
  readonly problems: readonly MonitorProblem[];
  /** The log's checkpoint, when it verified. */
  readonly checkpoint?: { readonly size: number; readonly rootHash: string; readonly origin: string };
  readonly components: readonly ComponentCount[];
  /** New entries checked in this run. */
  readonly entries: number;
  /** Entries beyond the verified checkpoint, left for the next run. */
  readonly deferred: number;
}

/** The last 64 hex digits of an entry id: the leaf hash, whether or not the tree id precedes it. */
const leafOf = (entryId: string) => entryId.slice(-64).toLowerCase();

/** The ids of the entries at log indexes [from, to) signed by `key`. */
async function windowIds(client: RekorClient, key: ComponentKey, from: number, to: number): Promise<string[]> {
  if (to - from > SCAN_LIMIT) {
    throw new ReftrailError("INDEX_TRUNCATED", `the log's search index answered ${INDEX_CAP} entries for a key (it may have cut the list), and the ${to - from} entries since the last checkpoint are more than the ${SCAN_LIMIT} read one by one`, "monitor");
  }
  const ids: string[] = [];
  await scanRange(client, [key], from, to, 100, async (entries) => {
    for (const e of entries) ids.push(e.entryId);
  });
  return ids;
}

/** Runs `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * One monitor run over one log: the log's checkpoint against the stored one, then every entry signed
 * by a component key of the registry that the state has not seen, each verified and matched against
 * the released statements and reference values. Pure over its sources: nothing is written; the
 * caller reports the problems and then stores `state`, so a run that fails to report repeats its
 * window.
 */
export async function monitorLog(input: MonitorInput): Promise<MonitorRun> {
  const logId = input.log.identity.logId;
  const before = monitoredLog(input.state, logId);
  const head = await checkLogHead(input.client, input.log, before.checkpoint);
  const problems: MonitorProblem[] = head.problem ? [head.problem] : [];
  const entries: Record<string, MonitoredLog["entries"][string]> = { ...before.entries };
  const seen = new Set(Object.keys(before.entries).map(leafOf));
  const components: ComponentCount[] = [];
  let checked = 0;
  let deferred = 0;
  if (head.verified !== undefined) {
    const verified = head.verified;
    for (const [component, keys] of input.registry.keysByComponent) {
      let componentChecked = 0;
      let total = 0;
      for (const key of keys) {
        let ids = await input.client.searchIndex({ publicKey: { format: "x509", content: Buffer.from(publicKeyPem(key.key)).toString("base64") } });
        // An answer at the index's cap may have been cut: the entries logged since the stored
        // checkpoint (the whole log on a first run or after a log problem) are then read index by
        // index instead, so none is missed. Those before it were seen by earlier runs.
        if (ids.length >= INDEX_CAP) {
          const from = head.problem === undefined ? (before.checkpoint?.size ?? 0) : 0;
          ids = await windowIds(input.client, key, from, verified.checkpoint.size);
        }
        const fresh = ids.filter((id) => !seen.has(leafOf(id)));
        total += ids.length - fresh.length;
        const judged = await mapLimited(fresh, input.concurrency ?? 8, async (id) => {
          const { entryId, entry } = await input.client.getEntry(id);
          const proof = entry.verification.inclusionProof;
          // An entry the verified checkpoint does not cover yet waits for the run that verifies one that does.
          const index = proof?.logIndex ?? entry.logIndex;
          const sameTree = entryId.length !== 80 || BigInt(`0x${entryId.slice(0, 16)}`) === verified.treeId;
          if (sameTree && index >= verified.checkpoint.size) return undefined;
          return { entryId, logIndex: entry.logIndex, judgement: await judgeEntry(entryId, entry, contextFor(input, component, key, verified)) };
        });
        for (const result of judged) {
          if (result === undefined) {
            deferred++;
            continue;
          }
          if (seen.has(leafOf(result.entryId))) continue;
          seen.add(leafOf(result.entryId));
          entries[result.entryId] = { logIndex: result.logIndex, outcome: result.judgement.outcome };
          componentChecked++;
          total++;
          if (result.judgement.problem) problems.push(result.judgement.problem);
        }
      }
      checked += componentChecked;
      components.push({ component, checked: componentChecked, total });
    }
  }
  const reported = new Set(input.state.reported);
  const fresh = problems.filter((p) => !reported.has(p.fingerprint)).sort((a, b) => (a.logIndex ?? -1) - (b.logIndex ?? -1));
  const log: MonitoredLog = { ...(head.keep ? { checkpoint: head.keep } : {}), entries };
  return {
    state: { ...input.state, logs: { ...input.state.logs, [logId]: log } },
    problems: fresh,
    ...(head.verified
      ? { checkpoint: { size: head.verified.checkpoint.size, rootHash: Buffer.from(head.verified.checkpoint.rootHash).toString("hex"), origin: head.verified.checkpoint.origin } }
      : {}),
    components,
    entries: checked,
    deferred,
  };
}

function contextFor(input: MonitorInput, component: string, key: ComponentKey, head: EntryContext["head"]): EntryContext {
  return { component, key, registry: input.registry, registrySource: input.registrySource, log: input.log, head, statements: input.statements, referenceValues: input.referenceValues };
}

/**
 * The run cut to its first `limit` problems (log problems come first): the entries of the problems
 * left out are taken out of the state again, so the next run finds them new and reports them then.
 * A first run over years of entries made outside the pipeline opens a bounded number of issues a
 * run instead of flooding the repository (and GitHub's limits on creating content).
 */
export function withinProblemLimit(run: MonitorRun, logId: string, limit: number): { readonly run: MonitorRun; readonly postponed: number } {
  if (run.problems.length <= limit) return { run, postponed: 0 };
  const kept = run.problems.slice(0, limit);
  const later = new Set(run.problems.slice(limit).flatMap((p) => (p.entryId !== undefined ? [p.entryId] : [])));
  const log = run.state.logs[logId]!;
  const entries = Object.fromEntries(Object.entries(log.entries).filter(([id]) => !later.has(id)));
  return {
    run: { ...run, problems: kept, state: { ...run.state, logs: { ...run.state.logs, [logId]: { ...log, entries } } } },
    postponed: run.problems.length - limit,
  };
}
