import type { HistoryEntry } from "../../schema/audit-history.js";
import { changesBetween, type EntryFingerprint } from "./changes.js";

/**
 * Rows handed on newest first, each with what changed since the next older row whose statement
 * could be read. A row waits only until that older row arrives, so a history streamed in log order
 * holds a few rows, not all of them.
 */
export class NewestFirst<T> {
  private waiting: { row: HistoryEntry; fingerprint: EntryFingerprint | undefined; with: T }[] = [];

  /** `emit` gets each row with what was pushed beside it (`with`: what the caller keeps per row, if anything). */
  constructor(private readonly emit: (row: HistoryEntry, with_: T) => void) {}

  /** The next row, older than every row pushed before. */
  push(row: HistoryEntry, fingerprint: EntryFingerprint | undefined, with_: T): void {
    if (fingerprint === undefined) {
      if (this.waiting.length === 0) this.emit(row, with_);
      else this.waiting.push({ row, fingerprint, with: with_ });
      return;
    }
    for (const w of this.waiting) {
      if (w.fingerprint !== undefined) w.row.changes = changesBetween(fingerprint, w.fingerprint);
      this.emit(w.row, w.with);
    }
    this.waiting = [{ row, fingerprint, with: with_ }];
  }

  /** The rows still waiting: nothing older will come. */
  finish(): void {
    for (const w of this.waiting) this.emit(w.row, w.with);
    this.waiting = [];
  }
}
