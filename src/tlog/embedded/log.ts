import { existsSync } from "node:fs";
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { toHex } from "../../util/bytes.js";
import { createFileExclusive, writeFileAtomic } from "../../util/atomic-write.js";
import { checkpointOrigin, signCheckpoint } from "../checkpoint.js";
import { TlogError } from "../errors.js";
import type { CanonicalEntry } from "../kinds/entries.js";
import { logIdentity, type LogIdentity } from "../keys.js";
import { EMPTY_ROOT, leafHash, nodeHash } from "../merkle.js";
import { ProofBuilder } from "../proofs.js";
import { signSet } from "../set.js";
import type { LogEntry, LogInfo } from "../../schema/rekor.js";
import { checkLogFolder, logFileError, logPaths, makeLogFolder, readLogKey } from "./log-files.js";
import { LogStore, isBusy, storageError, type StoredEntry } from "./store.js";

export { logPaths, type LogPaths } from "./log-files.js";

export const DEFAULT_LOG_NAME = "reftrail.local";
/** How long a batch waits for another process's write lock before its submissions fail. */
const LOCK_WAIT_MS = 30_000;
const FORMAT = "reftrail-log/1";

/** A complete subtree on the tree's right edge; together they are the compact range of [0, size). */
interface FrontierNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

function rootOf(frontier: readonly FrontierNode[]): Uint8Array {
  if (frontier.length === 0) return EMPTY_ROOT;
  let root = frontier[frontier.length - 1]!.hash;
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i]!.hash, root);
  return root;
}

export interface SubmitResult {
  /** False when an equivalent entry was already logged (Rekor answers 409). */
  readonly created: boolean;
  readonly index: number;
}

/**
 * Creates a log: its directory, an ECDSA P-256 signing key (PKCS#8, mode 0600), a random tree id and
 * the signed checkpoint of the empty tree. Refuses to touch an existing log.
 */
export function initLog(dir: string, name: string = DEFAULT_LOG_NAME): { treeId: bigint; logId: string } {
  const paths = logPaths(dir);
  if (existsSync(paths.database) || existsSync(paths.privateKey)) {
    throw new TlogError("LOG_STATE", `${dir} already holds a log (log.db or log-key.pem exists)`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(name)) throw new TlogError("LOG_NAME", `log name '${name}' is not a host name`);
  makeLogFolder(dir);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  // Created whole and never over an existing name (createFileExclusive): of several concurrent
  // inits exactly one claims the directory, the key is never seen half-written, and a killed init's
  // staged key is removed by the next run.
  try {
    createFileExclusive(paths.privateKey, privateKey.export({ type: "pkcs8", format: "pem" }) as string, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") throw new TlogError("LOG_STATE", `${dir} already holds a log (log-key.pem exists)`);
    throw logFileError(err, dir, "cannot hold a log: writing its key failed");
  }
  try {
    writeFileAtomic(paths.publicKey, publicKey.export({ type: "spki", format: "pem" }) as string, 0o644);
  } catch (err) {
    throw logFileError(err, paths.publicKey, "cannot be written");
  }
  // A positive signed 63-bit id, as Trillian assigns tree ids.
  const treeId = randomBytes(8).readBigUInt64BE() >> 1n || 1n;
  const identity = logIdentity(publicKey);
  const store = LogStore.create(paths.database);
  try {
    store.writeTransaction(() => {
      store.putMeta("format", FORMAT);
      store.putMeta("name", name);
      store.putMeta("treeId", treeId.toString());
      store.putMeta("logId", identity.logId);
      store.putCheckpoint(0, signCheckpoint({ origin: checkpointOrigin(name, treeId), size: 0, rootHash: EMPTY_ROOT, extensions: [] }, name, privateKey, identity));
    });
  } finally {
    store.close();
  }
  return { treeId, logId: identity.logId };
}

/**
 * reftrail's own transparency log: Rekor v1's data model (RFC 6962 tree, entry ids, SETs, signed
 * checkpoints) on one machine. Appends are batched: every submission waiting when a commit starts
 * goes into the same transaction, so one fsync acknowledges many entries.
 */
export class EmbeddedLog {
  readonly name: string;
  readonly treeId: bigint;
  readonly identity: LogIdentity;
  readonly origin: string;
  private readonly store: LogStore;
  private readonly privateKey: KeyObject;
  private frontier: { size: number; nodes: FrontierNode[] } | undefined;
  private pending: { entry: CanonicalEntry; resolve: (r: SubmitResult) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private closed = false;
  private builder: { size: number; builder: ProofBuilder } | undefined;

  /** Reads the log's identity from its meta records; each missing or malformed record is named. */
  private constructor(store: LogStore, privateKey: KeyObject, database: string) {
    this.store = store;
    this.privateKey = privateKey;
    const format = store.meta("format");
    if (format !== FORMAT) throw new TlogError("LOG_STATE", `${database} is not a ${FORMAT} database (its format record is ${format ?? "missing"})`);
    const name = store.meta("name");
    const treeId = store.meta("treeId");
    if (name === undefined || treeId === undefined || !/^[1-9][0-9]{0,18}$/.test(treeId)) throw new TlogError("LOG_STATE", `${database} lacks a valid log name or tree id`);
    this.name = name;
    this.treeId = BigInt(treeId);
    this.identity = logIdentity(createPublicKey(privateKey));
    if (this.identity.logId !== store.meta("logId")) throw new TlogError("LOG_KEY", "log-key.pem is not the key this log was created with");
    this.origin = checkpointOrigin(this.name, this.treeId);
    // The latest checkpoint is what every answer starts from: a database that lost it is unusable.
    this.current();
  }

  /** Opens an existing log; whatever is wrong with its folder, key or database is one TlogError naming the file. */
  static open(dir: string): EmbeddedLog {
    const paths = checkLogFolder(dir);
    const privateKey = readLogKey(paths.privateKey);
    const store = LogStore.open(paths.database);
    try {
      return new EmbeddedLog(store, privateKey, paths.database);
    } catch (err) {
      store.close();
      throw storageError(err, paths.database);
    }
  }

  /**
   * Closes the database. Submissions not yet committed (queued, or waiting for another process's
   * lock) fail instead of being written later to a closed database; committed ones are durable.
   */
  close(): void {
    this.closed = true;
    this.failUncommitted(this.pending);
    this.pending = [];
    this.store.close();
  }

  private failUncommitted(batch: EmbeddedLog["pending"]): void {
    for (const item of batch) item.reject(new TlogError("LOG_STATE", "the log was closed before the entry was committed"));
  }

  get treeIdHex(): string {
    return this.treeId.toString(16).padStart(16, "0");
  }

  entryId(leaf: Uint8Array): string {
    return this.treeIdHex + toHex(leaf);
  }

  /** Queues an entry for the next commit; resolves once it is durable (or found already logged). */
  submit(entry: CanonicalEntry): Promise<SubmitResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) return this.failUncommitted([{ entry, resolve, reject }]);
      this.pending.push({ entry, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.commit());
      }
    });
  }

  private compactRange(size: number): FrontierNode[] {
    if (this.frontier?.size === size) return this.frontier.nodes;
    const nodes: FrontierNode[] = [];
    let start = 0;
    for (let level = 52; level >= 0; level--) {
      const span = 2 ** level;
      if (size - start >= span) {
        nodes.push({ level, index: start / span, hash: this.store.subtree(level, start / span) });
        start += span;
      }
    }
    return nodes;
  }

  private commit(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.commitBatch(batch, Date.now());
  }

  /**
   * Commits one batch. When another process holds the write lock, the batch waits on a timer (this
   * process keeps answering reads meanwhile) and tries again, for up to LOCK_WAIT_MS.
   */
  private commitBatch(batch: EmbeddedLog["pending"], since: number): void {
    if (this.closed) return this.failUncommitted(batch);
    let outcome: { results: SubmitResult[]; size: number; nodes: FrontierNode[] };
    try {
      outcome = this.store.writeTransaction(() => {
        // Read the size inside the exclusive transaction: another process may have appended.
        const initial = this.store.size();
        let size = initial;
        let nodes = [...this.compactRange(size)];
        const integratedTime = Math.floor(Date.now() / 1000);
        const inBatch = new Map<string, number>();
        const results = batch.map(({ entry }) => {
          const leaf = leafHash(entry.body);
          const existing = this.store.indexOfLeaf(leaf) ?? inBatch.get(toHex(leaf));
          if (existing !== undefined) return { created: false, index: existing };
          const index = size++;
          const body = Buffer.from(entry.body).toString("base64");
          const signedEntryTimestamp = signSet({ body, integratedTime, logID: this.identity.logId, logIndex: index }, this.privateKey);
          this.store.putEntry(index, { leaf, body: entry.body, integratedTime, signedEntryTimestamp, searchKeys: entry.searchKeys });
          nodes.push({ level: 0, index, hash: leaf });
          while (nodes.length >= 2 && nodes[nodes.length - 1]!.level === nodes[nodes.length - 2]!.level) {
            const right = nodes.pop()!;
            const left = nodes.pop()!;
            const parent = { level: left.level + 1, index: left.index / 2, hash: nodeHash(left.hash, right.hash) };
            this.store.putSubtree(parent.level, parent.index, parent.hash);
            nodes.push(parent);
          }
          inBatch.set(toHex(leaf), index);
          return { created: true, index };
        });
        if (size !== initial) {
          const note = signCheckpoint({ origin: this.origin, size, rootHash: rootOf(nodes), extensions: [] }, this.name, this.privateKey, this.identity);
          this.store.putCheckpoint(size, note);
        }
        return { results, size, nodes };
      });
    } catch (err) {
      this.frontier = undefined;
      if (isBusy(err) && Date.now() - since < LOCK_WAIT_MS) {
        setTimeout(() => this.commitBatch(batch, since), 5 + Math.floor(Math.random() * 20));
        return;
      }
      for (const item of batch) item.reject(err);
      return;
    }
    this.frontier = { size: outcome.size, nodes: outcome.nodes };
    batch.forEach((item, i) => item.resolve(outcome.results[i]!));
  }

  /** The latest committed size and its signed checkpoint. */
  current(): { size: number; note: string } {
    const latest = this.store.latestCheckpoint();
    if (latest === undefined) throw new TlogError("LOG_STATE", "the log database holds no signed checkpoint");
    return latest;
  }

  info(): LogInfo {
    const { size, note } = this.current();
    return { rootHash: toHex(this.proofBuilder(size).root(size)), treeSize: size, signedTreeHead: note, treeID: this.treeId.toString() };
  }

  entryByIndex(index: number): StoredEntry | undefined {
    return this.store.entryByIndex(index);
  }

  entryByLeaf(leaf: Uint8Array): StoredEntry | undefined {
    return this.store.entryByLeaf(leaf);
  }

  /** The entries at indexes [from, to) with their ids, in index order, each with an inclusion proof in the latest checkpoint. */
  entriesInRange(from: number, to: number): { entryId: string; entry: LogEntry }[] {
    // The latest checkpoint read once for the range, not once an entry.
    const at = this.current();
    const stored = this.store.entriesInRange(from, to);
    // Their proofs hold each other's leaves: those are at hand.
    const builder = this.proofBuilder(at.size);
    for (const entry of stored) if (entry.index < at.size) builder.knownLeaf(entry.index, entry.leaf);
    return stored.map((entry) => ({ entryId: this.entryId(entry.leaf), entry: this.logEntry(entry, at) }));
  }

  /** The Rekor v1 LogEntry of a stored entry, with an inclusion proof in the latest checkpoint. */
  logEntry(entry: StoredEntry, at: { size: number; note: string } = this.current()): LogEntry {
    const builder = this.proofBuilder(at.size);
    const proof = builder.inclusion(entry.index, at.size);
    return {
      body: Buffer.from(entry.body).toString("base64"),
      integratedTime: entry.integratedTime,
      logID: this.identity.logId,
      logIndex: entry.index,
      verification: {
        signedEntryTimestamp: Buffer.from(entry.signedEntryTimestamp).toString("base64"),
        inclusionProof: { logIndex: entry.index, rootHash: toHex(builder.root(at.size)), treeSize: at.size, hashes: proof.map(toHex), checkpoint: at.note },
      },
    };
  }

  /** One proof builder per tree size, shared by every response at that size (all the entries of a batch). */
  private proofBuilder(size: number): ProofBuilder {
    if (this.builder?.size !== size) this.builder = { size, builder: new ProofBuilder(this.store) };
    return this.builder.builder;
  }

  consistency(firstSize: number, lastSize: number): { rootHash: string; hashes: string[] } {
    const builder = this.proofBuilder(lastSize);
    return { rootHash: toHex(builder.root(lastSize)), hashes: builder.consistency(firstSize, lastSize).map(toHex) };
  }

  search(key: string): number[] {
    return this.store.search(key);
  }
}
