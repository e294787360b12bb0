import type { StoredCheckpoint } from "../../schema/monitor-state.js";
import { parseCheckpoint, type Checkpoint } from "../../tlog/checkpoint.js";
import type { RekorClient } from "../../tlog/client.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { verifyConsistency } from "../../tlog/merkle.js";
import { checkLogCheckpoint } from "../../tlog/verify-entry.js";
import { fromHex, toHex } from "../../util/bytes.js";
import { ReftrailError } from "../../util/errors.js";
import { logProblem, type LogFacts, type MonitorProblem } from "./problems.js";

/** The log's current checkpoint as the monitor judged it. */
export interface LogHead {
  /** The checkpoint the log serves, its signature verified; absent when it does not verify (then nothing it says is used). */
  readonly verified?: { readonly checkpoint: Checkpoint; readonly treeId: bigint; readonly note: string };
  readonly problem?: MonitorProblem;
  /** The checkpoint the state keeps: the new one when it extends the stored one, else the stored one. */
  readonly keep?: StoredCheckpoint;
}

/**
 * Fetches the log's signed checkpoint and checks it against the one verified before: its signature
 * by the log key (CHECKPOINT), no smaller tree (ROLLBACK), the same root at the same size and a
 * consistency proof from the stored tree to the new one (FORK). An empty log is a tree like any
 * other. Failures to reach the log are thrown: a run that cannot see the log repeats its window.
 */
export async function checkLogHead(client: RekorClient, log: TrustedLogKey, stored: StoredCheckpoint | undefined): Promise<LogHead> {
  const info = await client.getLogInfo();
  const facts = (current: { size: number; rootHash: string }): LogFacts => ({ logId: log.identity.logId, source: log.source, current, ...(stored ? { stored: { size: stored.size, rootHash: stored.rootHash } } : {}) });
  const claimed = { size: info.treeSize, rootHash: info.rootHash.toLowerCase() };
  const keepStored = stored ? { keep: stored } : {};
  let verified: NonNullable<LogHead["verified"]>;
  try {
    const { checkpoint, treeId } = checkLogCheckpoint(info.signedTreeHead, log.identity, log.name, BigInt(info.treeID));
    verified = { checkpoint, treeId, note: info.signedTreeHead };
  } catch (err) {
    if (!(err instanceof ReftrailError)) throw err;
    return { problem: logProblem("CHECKPOINT", facts(claimed), err.message), ...keepStored };
  }
  const current = { size: verified.checkpoint.size, rootHash: toHex(verified.checkpoint.rootHash) };
  if (current.size !== claimed.size || current.rootHash !== claimed.rootHash) {
    return { problem: logProblem("CHECKPOINT", facts(current), `the log states tree size ${claimed.size} and root ${claimed.rootHash}, its signed checkpoint ${current.size} and ${current.rootHash}`), ...keepStored };
  }
  const next: StoredCheckpoint = { size: current.size, rootHash: current.rootHash, note: verified.note };
  if (stored === undefined) return { verified, keep: next };
  const problem = (kind: "ROLLBACK" | "FORK", detail: string): LogHead => ({ verified, problem: logProblem(kind, facts(current), detail), keep: stored });
  const storedOrigin = parseCheckpoint(stored.note).checkpoint.origin;
  if (storedOrigin !== verified.checkpoint.origin) return problem("FORK", `its checkpoint names the tree '${verified.checkpoint.origin}', the verified one '${storedOrigin}'`);
  if (current.size < stored.size) return problem("ROLLBACK", `it serves a tree of ${current.size} entries, ${stored.size} were verified before`);
  if (current.size === stored.size) {
    return current.rootHash === stored.rootHash ? { verified, keep: next } : problem("FORK", `at tree size ${current.size} its root is ${current.rootHash}, the verified one ${stored.rootHash}`);
  }
  if (stored.size > 0) {
    const proof = await client.getConsistencyProof(stored.size, current.size);
    const hashes = proof.hashes.map((h) => fromHex(h.toLowerCase())!);
    const consistent = proof.rootHash.toLowerCase() === current.rootHash && verifyConsistency(stored.size, current.size, fromHex(stored.rootHash)!, verified.checkpoint.rootHash, hashes);
    if (!consistent) return problem("FORK", `its consistency proof from tree size ${stored.size} to ${current.size} does not verify: the tree verified before is not a prefix of the one served now`);
  }
  return { verified, keep: next };
}
