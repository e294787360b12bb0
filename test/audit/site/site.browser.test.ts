/// <reference lib="dom" />
/**
 * The web viewer in Debian's Chromium (playwright-core), against a site built from a log of some
 * six hundred entries: overview, paginated timeline by keyboard, measurement search, an entry page
 * verified in the browser, a tampered entry shown as failed, and the page without scripts.
 *
 * The entry pages load the browser verifier bundle (assets/verify.js): reftrail's own verification
 * code built for the browser by `npm run build` (dist/audit/browser/verify.js), run on Chromium's
 * WebCrypto.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "node:http";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenSite } from "../../../src/audit/site/serve.js";
import { runCli } from "../../helpers/cli.js";
import { SCREENSHOTS, contrastRatio, launchChromium } from "../../helpers/browser.js";
import { buildSiteLog, type SiteLog } from "./site-log.js";

const RELEASES = 120;

let home: string;
let site: string;
let fixture: SiteLog;
let browser: Browser;
let server: Server;
let base: string;

async function context(options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ ...options, viewport: { width: 1200, height: 900 } });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

/** The entry pages of a component, by the release each endorses (read from the built timeline pages). */
function entryOf(component: string, version: string): string {
  for (const f of files(join(site, "components", component))) {
    const m = new RegExp(`<a href="../../(entries/\\d+\\.html)">\\d+</a></th>\\s*<td>[^<]*</td>\\s*<td>[^<]* ${version.replace(/\./g, "\\.")}</td>`).exec(readFileSync(f, "utf8"));
    if (m) return m[1]!;
  }
  throw new Error(`no ${component} entry for ${version}`);
}

beforeAll(async () => {
  browser = await launchChromium();
  home = mkdtempSync(join(tmpdir(), "reftrail-site-"));
  fixture = await buildSiteLog(home, RELEASES);
  site = join(home, "site");
  const built = runCli(["audit", "build-site", "--out", site, "--log", fixture.log, "--key-registry", fixture.registry, "--reference-values", fixture.referenceValues, "--json", "--state", join(home, "state")]);
  expect(built.status, built.stderr).toBe(0);
  expect(existsSync(join(site, "assets", "verify.js")), "the site has no verify.js: run npm run build").toBe(true);
  ({ server, url: base } = await listenSite(site, "127.0.0.1", 0));
}, 240_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("the built site", () => {
  it("has every page and index file under 1 MB, and an entry page per logged entry", () => {
    const all = files(site);
    const big = all.filter((f) => statSync(f).size >= 1_000_000 && !f.endsWith("verify.js"));
    expect(big).toEqual([]);
    expect(readdirSync(join(site, "entries")).length).toBe(fixture.entries);
  });
});

describe("in Chromium", () => {
  it("the overview has landmarks, a component table and the flagged release counted", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${base}index.html`);
    for (const role of ["banner", "navigation", "main", "contentinfo"] as const) await expect(page.getByRole(role).count()).resolves.toBe(1);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Components");
    const names = fixture.values.components.map((c) => c.name).sort();
    for (const name of names) await expect(page.getByRole("link", { name, exact: true }).count()).resolves.toBe(1);
    // One release (the rogue one) has no document: one flagged entry per component.
    await expect(page.getByText("1 flagged").count()).resolves.toBe(names.length);
    // Contrast of the rendered palette: body text, links, a flagged row.
    const colours = await page.evaluate(() => {
      const style = (el: Element) => getComputedStyle(el);
      const body = style(document.body);
      const link = style(document.querySelector("main a")!);
      const flagged = document.querySelector("tr.flagged")!;
      return { text: body.color, bg: body.backgroundColor, link: link.color, flaggedText: style(flagged.querySelector("td")!).color, flaggedBg: style(flagged).backgroundColor, footer: style(document.querySelector("footer")!).color };
    });
    expect(contrastRatio(colours.text, colours.bg)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(colours.link, colours.bg)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(colours.flaggedText, colours.flaggedBg)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(colours.footer, colours.bg)).toBeGreaterThanOrEqual(4.5);
    await shot(page, "overview");
    await ctx.close();
  });

  it("the timeline is paginated and navigable by keyboard alone", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${base}components/ovmf/index.html`);
    await expect(page.getByText("Page 1 of 2", { exact: true }).count()).resolves.toBe(2);
    await expect(page.locator("tbody tr").count()).resolves.toBe(100);
    // The first Tab reaches the skip link; Enter moves focus into the main content.
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe("Skip to content");
    await page.keyboard.press("Enter");
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe("main");
    let steps = 0;
    while ((await page.evaluate(() => document.activeElement?.textContent)) !== "Next page") {
      await page.keyboard.press("Tab");
      if (++steps > 20) throw new Error("Next page is not reachable by Tab from the main content");
    }
    await expect(page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).resolves.toBe("solid");
    await shot(page, "timeline-focus");
    await page.keyboard.press("Enter");
    await page.waitForURL(/page-2\.html$/);
    await expect(page.getByText("Page 2 of 2", { exact: true }).count()).resolves.toBe(2);
    // 1 + RELEASES entries: the second page holds the rest, the oldest (the CLI-published release) last.
    await expect(page.locator("tbody tr").count()).resolves.toBe(RELEASES + 1 - 100);
    await expect(page.locator("tbody tr").last().textContent()).resolves.toContain("2026.11.0");
    await ctx.close();
  });

  it("the measurement search finds the release and configuration of an endorsed launch digest, and says when none", async () => {
    const ovmf = fixture.values.components.find((c) => c.kind === "firmware");
    if (ovmf?.kind !== "firmware") throw new Error("the example has no firmware");
    const snp = ovmf.launchDigests.find((c) => c.mode === "snp");
    if (snp === undefined || !("digests" in snp)) throw new Error("the example has no SNP launch digests");
    const [vcpus, digest] = Object.entries(snp.digests)[0]!;
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${base}search.html`);
    await page.getByLabel(/Measurement/).fill(digest);
    await page.keyboard.press("Enter");
    const results = page.locator("#search-results table tbody tr");
    await results.first().waitFor();
    // Every release reuses the example's firmware: each of the RELEASES + 1 lists this digest.
    const rows = await results.allTextContents();
    expect(rows.filter((r) => r.includes(snp.vmmType))).toHaveLength(rows.length);
    const first = page.locator("#search-results tbody tr").filter({ hasText: "2026.11.0" }).first();
    await expect(first.locator("td").nth(4).textContent()).resolves.toBe(vcpus);
    await expect(first.locator("td").nth(8).textContent()).resolves.toBe("recomputed");
    expect(new Set(rows.map((r) => /2026\.1[12]\.\d+/.exec(r)?.[0])).size).toBe(RELEASES + 1);
    // The release without a reference-values document is found too, and flagged.
    const flaggedRows = await page.locator("#search-results tbody tr.flagged").allTextContents();
    expect(flaggedRows).toHaveLength(1);
    expect(flaggedRows[0]).toContain(fixture.rogueVersion);
    await shot(page, "search");
    await page.getByLabel(/Measurement/).fill("00".repeat(48));
    await page.keyboard.press("Enter");
    await page.getByText(/No endorsed release and configuration/).waitFor();
    await ctx.close();
  });

  it("an entry page says 'verified in your browser' only once the verifier has answered", async () => {
    const ctx = await context();
    const page = await ctx.newPage();
    // The verifier is held back: until it has run, the page must not claim anything.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route("**/assets/verify.js", async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${base}${entryOf("ovmf", "2026.11.0")}`);
    const status = page.locator("#browser-status");
    await page.getByText("Verifying in your browser").waitFor();
    await expect(status.textContent()).resolves.not.toMatch(/Verified in your browser/);
    release();
    await page.getByText("Verified in your browser.").waitFor();
    await expect(status.getAttribute("class")).resolves.toBe("status verified");
    // What was verified is read from the verified statement: the example's firmware subject and release.
    const ovmf = fixture.values.components.find((c) => c.name === "ovmf")!;
    await expect(status.textContent()).resolves.toContain(`It endorses ${ovmf.subject.name} (sha256 ${ovmf.subject.digest.sha256}) of ${fixture.values.release.name} 2026.11.0`);
    await expect(page.locator("#browser-checks li.failed").count()).resolves.toBe(0);
    const colours = await status.evaluate((el) => ({ fg: getComputedStyle(el).color, bg: getComputedStyle(el).backgroundColor }));
    expect(contrastRatio(colours.fg, colours.bg)).toBeGreaterThanOrEqual(4.5);
    for (const heading of ["Statement", "Signature", "Log entry", "Inclusion proof", "Launch digests"]) await expect(page.getByRole("heading", { level: 2, name: heading }).count()).resolves.toBe(1);
    await shot(page, "entry-verified");
    await ctx.close();
  });

  it("a tampered entry page is shown as failed", async () => {
    const file = join(site, entryOf("linux-cloud", "2026.12.7"));
    const text = readFileSync(file, "utf8");
    const data = /<script type="application\/json" id="verify-input">(.*?)<\/script>/s.exec(text)![1]!;
    const statement = Buffer.from((JSON.parse(data) as { statement: string }).statement, "base64").toString("utf8");
    const forged = statement.replace("2026.12.7", "2026.12.8");
    expect(forged).not.toBe(statement);
    const tampered = join(site, "entries", "tampered.html");
    // The page shows and carries the same forged statement: only the signature check can catch it.
    const escaped = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
    writeFileSync(tampered, text.replace(Buffer.from(statement).toString("base64"), Buffer.from(forged).toString("base64")).replace(escaped(statement), escaped(forged)));
    const ctx = await context();
    const page = await ctx.newPage();
    await page.goto(`${base}entries/tampered.html`);
    await page.getByText("Verification failed in your browser").waitFor();
    await expect(page.locator("#browser-status").getAttribute("class")).resolves.toBe("status failed");
    await expect(page.getByText("Verified in your browser").count()).resolves.toBe(0);
    const colours = await page.locator("#browser-status").evaluate((el) => ({ fg: getComputedStyle(el).color, bg: getComputedStyle(el).backgroundColor }));
    expect(contrastRatio(colours.fg, colours.bg)).toBeGreaterThanOrEqual(4.5);
    await shot(page, "entry-tampered");
    await ctx.close();
  });

  it("without scripts, an entry page says plainly that nothing was verified in this browser", async () => {
    const ctx = await context({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(`${base}${entryOf("ovmf", "2026.11.0")}`);
    const status = await page.locator("#browser-status").textContent();
    expect(status).toMatch(/Not verified in this browser\./);
    expect(status).toMatch(/Nothing on this page has been checked here/);
    await expect(page.getByText("Verified in your browser").count()).resolves.toBe(0);
    // The content is all there without scripts.
    await expect(page.locator("#raw-statement").textContent()).resolves.toContain("2026.11.0");
    await shot(page, "entry-noscript");
    await page.goto(`${base}search.html`);
    await expect(page.locator("main noscript").evaluate((el) => el.textContent)).resolves.toMatch(/The search runs in your browser and scripts are off\./);
    await expect(page.locator("#measurement").isVisible()).resolves.toBe(true);
    await ctx.close();
  });
});
