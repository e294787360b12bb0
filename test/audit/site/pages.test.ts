import { describe, expect, it } from "vitest";
import type { SiteComponent, SiteEntry, SiteModel } from "../../../src/audit/site/model.js";
import { entryPage } from "../../../src/audit/site/pages/entry.js";
import { timelinePages } from "../../../src/audit/site/pages/timeline.js";

function entry(logIndex: number, extra: Partial<SiteEntry> = {}): SiteEntry {
  return {
    component: "ovmf",
    logIndex,
    entryId: "ab".repeat(40),
    integratedTime: 1_800_000_000 + logIndex,
    keyId: "cd".repeat(32),
    componentKeyPem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
    signature: "c2ln",
    entry: { body: "e30=", integratedTime: 1_800_000_000 + logIndex, logID: "ef".repeat(32), logIndex, verification: {} },
    statementSha256: "12".repeat(32),
    referenceValues: { status: "not-checked" },
    launchDigests: [],
    ...extra,
  };
}

function model(entries: number): { model: SiteModel; component: SiteComponent } {
  const component: SiteComponent = { name: "ovmf", keys: [], entries: Array.from({ length: entries }, (_, i) => entry(entries - 1 - i)) };
  return { component, model: { builtAt: "2027-01-01T00:00:00Z", log: { source: "test", publicKeyPem: "", checkpoint: { size: entries, rootHash: "00", note: "" } }, components: [component], referenceValuesChecked: false } };
}

describe("timelinePages", () => {
  it("splits at 100 entries a page, with one page for an empty history", () => {
    for (const [entries, pages] of [[0, 1], [1, 1], [100, 1], [101, 2], [250, 3]] as const) {
      const { model: m, component } = model(entries);
      const out = timelinePages(m, component);
      expect([...out.keys()]).toEqual(Array.from({ length: pages }, (_, i) => (i === 0 ? "index.html" : `page-${i + 1}.html`)));
      const rows = [...out.values()].map((html) => (html.match(/<th scope="row">/g) ?? []).length);
      expect(rows.reduce((a, b) => a + b, 0)).toBe(entries);
    }
  });

  it("links the previous and next pages, and none past either end", () => {
    const { model: m, component } = model(250);
    const pages = timelinePages(m, component);
    expect(pages.get("index.html")).not.toContain('rel="prev"');
    expect(pages.get("index.html")).toContain('<a href="page-2.html" rel="next">Next page</a>');
    expect(pages.get("page-2.html")).toContain('<a href="index.html" rel="prev">Previous page</a>');
    expect(pages.get("page-3.html")).not.toContain('rel="next"');
  });
});

describe("entryPage", () => {
  it("says when the builder had no statement, and carries null for the script", () => {
    const { model: m } = model(1);
    const html = entryPage(m, entry(0));
    expect(html).toContain("The site builder has no statement with this digest");
    expect(html).not.toContain('id="raw-statement"');
    expect(html).toMatch(/"statement":null/);
  });

  it("escapes what a statement says: a log entry's content cannot inject markup", () => {
    const { model: m } = model(1);
    const html = entryPage(m, entry(0, { statement: new TextEncoder().encode('{"x":"</pre><script>alert(1)</script>"}'), subject: { name: "<img src=x onerror=alert(1)>", digests: {} } }));
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
