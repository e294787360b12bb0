import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { SubtreeSource } from "../proofs.js";
import { TlogError } from "../errors.js";

/**
 * The embedded log's storage, one SQLite database (node:sqlite, built into Node): entries by index,
 * the hash of every complete subtree above the leaves, one signed checkpoint per committed size,
 * and search keys. Proofs read O(log n) rows by primary key; nothing grows in memory with the log.
 * WAL with synchronous=FULL makes a commit durable when it returns, and BEGIN IMMEDIATE serialises
 * writers across processes, so concurrent appenders never assign one index twice.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS entries (
  idx INTEGER PRIMARY KEY,
  leaf BLOB NOT NULL UNIQUE,
  body BLOB NOT NULL,
  integrated_time INTEGER NOT NULL,
  signed_entry_timestamp BLOB NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS nodes (id INTEGER PRIMARY KEY, hash BLOB NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS checkpoints (size INTEGER PRIMARY KEY, note TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS search (key TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (key, idx)) STRICT, WITHOUT ROWID;
`;

/**
 * How long one statement waits for another process's write lock. Kept short because node:sqlite is
 * synchronous: a long wait would stall every request of this process; EmbeddedLog retries instead.
 */
const BUSY_TIMEOUT_MS = 50;

export function isBusy(err: unknown): boolean {
  const e = err as { errcode?: number; message?: string };
  return e?.errcode === 5 || e?.errcode === 6 || /database is (locked|busy)/.test(String(e?.message));
}

/** Subtrees above the leaves are keyed level + 64 × index (level ≥ 1; 2^58 leaves before overflow). */
const nodeId = (level: number, index: number) => index * 64 + level;

export interface StoredEntry {
  readonly index: number;
  readonly leaf: Uint8Array;
  readonly body: Uint8Array;
  readonly integratedTime: number;
  readonly signedEntryTimestamp: Uint8Array;
}

export interface NewEntry {
  readonly leaf: Uint8Array;
  readonly body: Uint8Array;
  readonly integratedTime: number;
  readonly signedEntryTimestamp: Uint8Array;
  readonly searchKeys: readonly string[];
}

type Row = Record<string, unknown>;

/**
 * A row as a StoredEntry, its types checked: the in-process API hands these on as typed LogEntries
 * without a schema parse (tlog/client.ts LocalLog), so a database edited outside reftrail must not
 * slip a text or a fraction through (STRICT tables refuse them; this does not rely on it).
 */
function entryFromRow(row: Row): StoredEntry {
  const { idx, leaf, body, integrated_time: integratedTime, signed_entry_timestamp: set } = row;
  if (typeof idx !== "number" || !Number.isSafeInteger(idx) || idx < 0 || typeof integratedTime !== "number" || !Number.isSafeInteger(integratedTime) || integratedTime < 0) {
    throw new TlogError("LOG_STATE", `log storage holds a malformed entry row (index ${String(idx)})`);
  }
  if (!(leaf instanceof Uint8Array) || !(body instanceof Uint8Array) || !(set instanceof Uint8Array)) throw new TlogError("LOG_STATE", `log storage holds a malformed entry row at index ${idx}`);
  return { index: idx, leaf, body, integratedTime, signedEntryTimestamp: set };
}

/** What SQLite's primary result codes mean for a file that should hold a log. */
const SQLITE_PROBLEMS: Readonly<Record<number, string>> = {
  8: "is read-only",
  11: "is corrupt",
  14: "cannot be opened",
  26: "is not a SQLite database",
};

/**
 * A SQLite failure on the log database as a one-line TlogError naming the file (node:sqlite's own
 * messages, such as "file is not a database", name nothing); anything else is returned unchanged.
 */
export function storageError(err: unknown, path: string): unknown {
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown };
  if (e?.code !== "ERR_SQLITE_ERROR" || typeof e.errcode !== "number") return err;
  const problem = SQLITE_PROBLEMS[e.errcode & 0xff] ?? "cannot be used as a log database";
  return new TlogError("LOG_STATE", `${path} ${problem} (SQLite: ${String(e.message)})`);
}

export class LogStore implements SubtreeSource {
  private readonly db: DatabaseSync;
  private readonly statements: Record<string, StatementSync>;

  /** A new, empty log database (its file must not exist yet). */
  static create(path: string): LogStore {
    return new LogStore(path, true);
  }

  /**
   * An existing log database. Checked to be one before anything is written to it: opening the wrong
   * file must not switch it to WAL or add tables to it.
   */
  static open(path: string): LogStore {
    return new LogStore(path, false);
  }

  private constructor(path: string, create: boolean) {
    try {
      this.db = new DatabaseSync(path);
    } catch (err) {
      throw storageError(err, path);
    }
    try {
      // The busy timeout first: switching to WAL itself needs the lock another process may hold.
      this.db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS};`);
      if (!create && this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get() === undefined) {
        throw new TlogError("LOG_STATE", `${path} is not a reftrail log database (it has no meta table)`);
      }
      this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;");
      if (create) this.db.exec(SCHEMA);
      this.statements = this.prepareStatements();
    } catch (err) {
      this.db.close();
      throw storageError(err, path);
    }
  }

  private prepareStatements(): Record<string, StatementSync> {
    const s = (sql: string) => this.db.prepare(sql);
    return {
      size: s("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM entries"),
      leaf: s("SELECT leaf FROM entries WHERE idx = ?"),
      node: s("SELECT hash FROM nodes WHERE id = ?"),
      putNode: s("INSERT INTO nodes (id, hash) VALUES (?, ?)"),
      byIndex: s("SELECT * FROM entries WHERE idx = ?"),
      byLeaf: s("SELECT * FROM entries WHERE leaf = ?"),
      range: s("SELECT * FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx"),
      indexOfLeaf: s("SELECT idx FROM entries WHERE leaf = ?"),
      putEntry: s("INSERT INTO entries (idx, leaf, body, integrated_time, signed_entry_timestamp) VALUES (?, ?, ?, ?, ?)"),
      putSearch: s("INSERT OR IGNORE INTO search (key, idx) VALUES (?, ?)"),
      search: s("SELECT idx FROM search WHERE key = ? ORDER BY idx LIMIT 10000"),
      putCheckpoint: s("INSERT INTO checkpoints (size, note) VALUES (?, ?)"),
      checkpoint: s("SELECT note FROM checkpoints WHERE size = ?"),
      latest: s("SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1"),
      getMeta: s("SELECT value FROM meta WHERE key = ?"),
      putMeta: s("INSERT INTO meta (key, value) VALUES (?, ?)"),
    };
  }

  close(): void {
    this.db.close();
  }

  /** Runs `fn` as one write transaction, exclusive across processes; rolled back if it throws. */
  writeTransaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE"); // throws a busy error when another process holds the lock
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  size(): number {
    return Number((this.statements["size"]!.get() as Row)["n"]);
  }

  subtree(level: number, index: number): Uint8Array {
    const row = (level === 0 ? this.statements["leaf"]!.get(index) : this.statements["node"]!.get(nodeId(level, index))) as Row | undefined;
    if (row === undefined) throw new TlogError("LOG_STATE", `log storage lacks subtree ${level}/${index}`);
    return (level === 0 ? row["leaf"] : row["hash"]) as Uint8Array;
  }

  putSubtree(level: number, index: number, hash: Uint8Array): void {
    this.statements["putNode"]!.run(nodeId(level, index), hash);
  }

  indexOfLeaf(leaf: Uint8Array): number | undefined {
    const row = this.statements["indexOfLeaf"]!.get(leaf) as Row | undefined;
    return row === undefined ? undefined : Number(row["idx"]);
  }

  entryByIndex(index: number): StoredEntry | undefined {
    const row = this.statements["byIndex"]!.get(index) as Row | undefined;
    return row && entryFromRow(row);
  }

  /** The entries at indexes [from, to), in index order: one query for a scan's batch, not one a row. */
  entriesInRange(from: number, to: number): StoredEntry[] {
    return (this.statements["range"]!.all(from, to) as Row[]).map(entryFromRow);
  }

  entryByLeaf(leaf: Uint8Array): StoredEntry | undefined {
    const row = this.statements["byLeaf"]!.get(leaf) as Row | undefined;
    return row && entryFromRow(row);
  }

  putEntry(index: number, entry: NewEntry): void {
    this.statements["putEntry"]!.run(index, entry.leaf, entry.body, entry.integratedTime, entry.signedEntryTimestamp);
    for (const key of entry.searchKeys) this.statements["putSearch"]!.run(key, index);
  }

  search(key: string): number[] {
    return (this.statements["search"]!.all(key) as Row[]).map((r) => Number(r["idx"]));
  }

  putCheckpoint(size: number, note: string): void {
    this.statements["putCheckpoint"]!.run(size, note);
  }

  checkpoint(size: number): string | undefined {
    const row = this.statements["checkpoint"]!.get(size) as Row | undefined;
    return row === undefined ? undefined : String(row["note"]);
  }

  latestCheckpoint(): { size: number; note: string } | undefined {
    const row = this.statements["latest"]!.get() as Row | undefined;
    return row === undefined ? undefined : { size: Number(row["size"]), note: String(row["note"]) };
  }

  meta(key: string): string | undefined {
    const row = this.statements["getMeta"]!.get(key) as Row | undefined;
    return row === undefined ? undefined : String(row["value"]);
  }

  putMeta(key: string, value: string): void {
    this.statements["putMeta"]!.run(key, value);
  }
}
