import { describe, expect, it } from "vitest";
import type { SiteComponent, SiteContext, SiteEntry } from "../../../src/audit/site/model.js";
import { timelineRow } from "../../../src/audit/site/pages/entry-text.js";
import { entryPage } from "../../../src/audit/site/pages/entry.js";
import { timelinePages } from "../../../src/audit/site/pages/timeline.js";
import type { HistoryEntry } from "../../../src/schema/audit-history.js";
import { checkResult, verdictOf } from "../../../src/schema/verdict.js";

const ctx: SiteContext = { builtAt: "2027-01-01T00:00:00Z", logKeyPem: "", referenceValuesChecked: false };

function entry(logIndex: number, row: Partial<HistoryEntry> = {}, extra: Partial<SiteEntry> = {}): SiteEntry {
  const history: HistoryEntry = {
    ...verdictOf([checkResult.passed("INCLUSION_PROOF", "the inclusion proof reaches a checkpoint signed by the log")]),
    entryId: "ab".repeat(40),
    logIndex,
    integratedTime: "2027-01-15T08:00:00Z",
    keyId: "cd".repeat(32),
    statementSha256: "12".repeat(32),
    changes: [],
    ...row,
  };
  return {
    component: "ovmf",
    history,
    componentKeyPem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    signature: "c2ln",
    entry: { body: "e30=", integratedTime: 1_800_000_000 + logIndex, logID: "ef".repeat(32), logIndex, verification: {} },
    launchDigests: [],
    ...extra,
  };
}

function component(entries: number): SiteComponent {
  return { name: "ovmf", keys: [], rows: Array.from({ length: entries }, (_, i) => timelineRow(entry(entries - 1 - i), ctx)), verified: true, checks: [] };
}

describe("timelinePages", () => {
  it("splits at 100 entries a page, with one page for an empty history", () => {
    for (const [entries, pages] of [[0, 1], [1, 1], [100, 1], [101, 2], [250, 3]] as const) {
      const out = timelinePages(ctx, component(entries));
      expect([...out.keys()]).toEqual(Array.from({ length: pages }, (_, i) => (i === 0 ? "index.html" : `page-${i + 1}.html`)));
      const rows = [...out.values()].map((html) => (html.match(/<th scope="row">/g) ?? []).length);
      expect(rows.reduce((a, b) => a + b, 0)).toBe(entries);
    }
  });

  it("links the previous and next pages, and none past either end", () => {
    const pages = timelinePages(ctx, component(250));
    expect(pages.get("index.html")).not.toContain('rel="prev"');
    expect(pages.get("index.html")).toContain('<a href="page-2.html" rel="next">Next page</a>');
    expect(pages.get("page-2.html")).toContain('<a href="index.html" rel="prev">Previous page</a>');
    expect(pages.get("page-3.html")).not.toContain('rel="next"');
  });
});

describe("entryPage", () => {
  it("says when the builder had no statement, and carries null for the script", () => {
    const html = entryPage(ctx, entry(0));
    expect(html).toContain("The site builder has no statement with this digest");
    expect(html).not.toContain('id="raw-statement"');
    expect(html).toMatch(/"statement":null/);
  });

  it("escapes what a statement says: a log entry's content cannot inject markup", () => {
    const html = entryPage(ctx, entry(0, { subject: { name: "<img src=x onerror=alert(1)>", digest: {} }, changes: ["<b>release</b>"] }, { statement: new TextEncoder().encode('{"x":"</pre><script>alert(1)</script>"}') }));
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<b>release");
    expect(html).toContain("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
