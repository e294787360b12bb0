import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SEARCH_JS, ENTRY_JS } from "./assets/scripts.js";
import { SITE_CSS } from "./assets/style.js";
import type { ComponentSummary, LaunchDigestRow, SiteComponent, SiteContext, SiteEntry, SiteLog, TimelineRow } from "./model.js";
import { entryPage } from "./pages/entry.js";
import { flagged, releaseText, statusText, timelineRow } from "./pages/entry-text.js";
import { overviewPage } from "./pages/overview.js";
import { searchPage } from "./pages/search.js";
import { timelinePages } from "./pages/timeline.js";
import { componentDir, entryFile, measurementShard } from "./paths.js";

/** One row of the measurement index: a launch digest and the endorsement it comes from. */
export interface MeasurementRow extends LaunchDigestRow {
  readonly component: string;
  readonly release: string;
  readonly logIndex: number;
  /** The entry's standing at build (a flagged release stays findable, and says so). */
  readonly referenceValues: string;
}

export interface SiteBuild {
  readonly files: number;
  readonly bytes: number;
  /** The largest page (HTML) written, in bytes. */
  readonly largestPage: { readonly file: string; readonly bytes: number };
  readonly entries: number;
  readonly launchDigests: number;
  /** False when the verifier bundle was missing: entry pages then say they could not verify. */
  readonly verifierCopied: boolean;
}

/**
 * Writes the site into `out` as the history is read: each entry's page as its row arrives (the
 * statement and log entry are then let go), the component's timeline when its history ends, and
 * the overview, the search page and the measurement index (measurements/<xx>.json, by the digest's
 * first three hex digits) at the end. What it holds is a small row per entry and a row per launch
 * digest, never the entries. Existing files of the same names are replaced.
 */
export class SiteWriter {
  private files = 0;
  private bytes = 0;
  private largestPage = { file: "", bytes: 0 };
  private entries = 0;
  /** Entries written that failed a check at build or match no reference-values document. */
  flaggedEntries = 0;
  private readonly made = new Set<string>();
  private readonly shards = new Map<string, MeasurementRow[]>();
  private readonly components: ComponentSummary[] = [];
  private rows: TimelineRow[] = [];
  readonly verifierCopied: boolean;

  constructor(
    private readonly out: string,
    private readonly ctx: SiteContext,
    verifyBundle: string,
  ) {
    this.write("assets/site.css", SITE_CSS);
    this.write("assets/entry.js", ENTRY_JS);
    this.write("assets/search.js", SEARCH_JS);
    this.verifierCopied = existsSync(verifyBundle);
    if (this.verifierCopied) {
      copyFileSync(verifyBundle, join(out, "assets", "verify.js"));
      this.files++;
    }
  }

  /** The next entry of the component being written, newest first. */
  entry(e: SiteEntry): void {
    this.write(entryFile(e.history.logIndex), entryPage(this.ctx, e));
    this.entries++;
    const row = timelineRow(e, this.ctx);
    this.rows.push(row);
    if (row.flagged) this.flaggedEntries++;
    if (e.launchDigests.length === 0) return;
    const standing = (flagged(e.history) ? "Flagged: " : "") + statusText(e.history, this.ctx);
    const release = releaseText(e.history);
    for (const row of e.launchDigests) {
      const shard = measurementShard(row.digest);
      let rows = this.shards.get(shard);
      if (rows === undefined) this.shards.set(shard, (rows = []));
      rows.push({ ...row, component: e.component, release, logIndex: e.history.logIndex, referenceValues: standing });
    }
  }

  /** The component whose entries were just given: its timeline pages. */
  endComponent(component: Omit<SiteComponent, "rows">): void {
    const done: SiteComponent = { ...component, rows: this.rows };
    this.rows = [];
    for (const [file, text] of timelinePages(this.ctx, done)) this.write(componentDir(done.name) + file, text);
    // The overview needs only the count, the newest row and the flagged count of each.
    const latest = done.rows[0];
    this.components.push({
      name: done.name,
      entries: done.rows.length,
      flagged: done.rows.reduce((n, r) => n + (r.flagged ? 1 : 0), 0),
      ...(latest ? { latest } : {}),
      verified: done.verified,
      checks: done.checks,
    });
  }

  finish(log: SiteLog): SiteBuild {
    this.write("index.html", overviewPage(this.ctx, log, this.components));
    let launchDigests = 0;
    for (const [file, rows] of this.shards) {
      this.write(file, JSON.stringify(rows));
      launchDigests += rows.length;
    }
    this.write("search.html", searchPage(this.ctx, launchDigests));
    return { files: this.files, bytes: this.bytes, largestPage: this.largestPage, entries: this.entries, launchDigests, verifierCopied: this.verifierCopied };
  }

  private write(file: string, text: string): void {
    const path = join(this.out, file);
    const dir = dirname(path);
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    const data = Buffer.from(text);
    writeFileSync(path, data);
    this.files++;
    this.bytes += data.byteLength;
    if (file.endsWith(".html") && data.byteLength > this.largestPage.bytes) this.largestPage = { file, bytes: data.byteLength };
  }
}
