import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { SEARCH_JS, ENTRY_JS } from "./assets/scripts.js";
import { SITE_CSS } from "./assets/style.js";
import type { LaunchDigestRow, SiteModel } from "./model.js";
import { entryPage } from "./pages/entry.js";
import { flagged, referenceValuesText, releaseText } from "./pages/entry-text.js";
import { overviewPage } from "./pages/overview.js";
import { searchPage } from "./pages/search.js";
import { timelinePages } from "./pages/timeline.js";
import { componentDir, entryFile, measurementShard } from "./paths.js";

/** One row of the measurement index: a launch digest and the endorsement it comes from. */
export interface MeasurementRow extends LaunchDigestRow {
  readonly component: string;
  readonly release: string;
  readonly logIndex: number;
  /** The entry's standing against the reference-values documents (a flagged release stays findable, and says so). */
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

/** The measurement index, sharded by the digest's first three hex digits. */
export function measurementIndex(model: SiteModel): Map<string, MeasurementRow[]> {
  const shards = new Map<string, MeasurementRow[]>();
  for (const c of model.components) {
    for (const e of c.entries) {
      for (const row of e.launchDigests) {
        const shard = measurementShard(row.digest);
        let rows = shards.get(shard);
        if (rows === undefined) shards.set(shard, (rows = []));
        rows.push({ ...row, component: c.name, release: releaseText(e), logIndex: e.logIndex, referenceValues: (flagged(e) ? "Flagged: " : "") + referenceValuesText(e) });
      }
    }
  }
  return shards;
}

/**
 * Writes the site into `out`: index.html, search.html, components/<name>/ (paginated timelines),
 * entries/<log index>.html, measurements/<xx>.json and assets/ (stylesheet, page scripts, and the
 * verifier bundle copied from `verifyBundle`). Existing files of the same names are replaced.
 */
export function writeSite(model: SiteModel, out: string, verifyBundle: string): SiteBuild {
  let files = 0;
  let bytes = 0;
  let largestPage = { file: "", bytes: 0 };
  const made = new Set<string>();
  const write = (file: string, text: string) => {
    const path = join(out, file);
    const dir = dirname(path);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const data = Buffer.from(text);
    writeFileSync(path, data);
    files++;
    bytes += data.byteLength;
    if (file.endsWith(".html") && data.byteLength > largestPage.bytes) largestPage = { file, bytes: data.byteLength };
  };
  write("assets/site.css", SITE_CSS);
  write("assets/entry.js", ENTRY_JS);
  write("assets/search.js", SEARCH_JS);
  const verifierCopied = existsSync(verifyBundle);
  if (verifierCopied) {
    copyFileSync(verifyBundle, join(out, "assets", "verify.js"));
    files++;
  }
  write("index.html", overviewPage(model));
  let entries = 0;
  for (const component of model.components) {
    for (const [file, text] of timelinePages(model, component)) write(componentDir(component.name) + file, text);
    for (const e of component.entries) {
      write(entryFile(e.logIndex), entryPage(model, e));
      entries++;
    }
  }
  const index = measurementIndex(model);
  let launchDigests = 0;
  for (const [file, rows] of index) {
    write(file, JSON.stringify(rows));
    launchDigests += rows.length;
  }
  write("search.html", searchPage(model, launchDigests));
  return { files, bytes, largestPage, entries, launchDigests, verifierCopied };
}
