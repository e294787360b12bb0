import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { ROOT } from "../../helpers/fixtures.js";
import { serveLogProcess } from "../../helpers/serve.js";
import { buildSiteLog, type SiteLog } from "./site-log.js";

let home: string;
let fixture: SiteLog;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "reftrail-site-cli-"));
  fixture = await buildSiteLog(home, 3);
}, 120_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const entryPages = (site: string) => readdirSync(join(site, "entries")).length;

describe("reftrail audit build-site", () => {
  it("writes a page per entry of an embedded log and flags the release without reference values", () => {
    const site = join(home, "site-log");
    const r = runCli(["audit", "build-site", "--out", site, "--log", fixture.log, "--key-registry", fixture.registry, "--reference-values", fixture.referenceValues, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { entries: number; launchDigests: number; largestPage: { bytes: number } };
    expect(report.entries).toBe(fixture.entries);
    expect(entryPages(site)).toBe(fixture.entries);
    expect(report.largestPage.bytes).toBeLessThan(1_000_000);
    // The rogue release's entries, and only those, are flagged on the timeline.
    const timeline = readFileSync(join(site, "components", "cmdline", "index.html"), "utf8");
    const flagged = [...timeline.matchAll(/<tr class="flagged">[\s\S]*?<\/tr>/g)].map((m) => m[0]);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]).toContain(fixture.rogueVersion);
    expect(flagged[0]).toContain("has no reference-values document");
  });

  it("without --reference-values, flags nothing and says it did not compare", () => {
    const site = join(home, "site-plain");
    const r = runCli(["audit", "build-site", "--out", site, "--log", fixture.log, "--key-registry", fixture.registry]);
    expect(r.status, r.stderr).toBe(0);
    const timeline = readFileSync(join(site, "components", "cmdline", "index.html"), "utf8");
    expect(timeline).not.toContain('class="flagged"');
    expect(timeline).toContain("not compared");
  });

  it("reads a Rekor v1 server by component key, with the statements from --endorsements", async () => {
    const served = await serveLogProcess(fixture.log);
    try {
      const site = join(home, "site-rekor");
      const r = runCli(["audit", "build-site", "--out", site, "--rekor-url", served.url, "--rekor-key", fixture.logKey, "--endorsements", fixture.endorsements, "--key-registry", fixture.registry]);
      expect(r.status, r.stderr).toBe(0);
      expect(entryPages(site)).toBe(fixture.entries);
      // --endorsements holds the first release only: its entries carry their statement, the others not.
      const withStatement = readdirSync(join(site, "entries")).filter((f) => readFileSync(join(site, "entries", f), "utf8").includes('id="raw-statement"'));
      expect(withStatement).toHaveLength(fixture.values.components.length);
    } finally {
      await served.stop();
    }
  });

  it("refuses contradictory or missing options with exit 2 and one line", () => {
    const cases: [string[], RegExp][] = [
      [["--log", fixture.log, "--key-registry", fixture.registry], /--out/],
      [["--out", join(home, "x"), "--key-registry", fixture.registry], /exactly one of --log and --rekor-url/],
      [["--out", join(home, "x"), "--log", fixture.log, "--rekor-url", "http://127.0.0.1:1", "--key-registry", fixture.registry], /exactly one of --log and --rekor-url/],
      [["--out", join(home, "x"), "--log", fixture.log, "--endorsements", fixture.endorsements, "--key-registry", fixture.registry], /--endorsements goes with --rekor-url/],
      [["--out", join(home, "x"), "--log", join(home, "no-log"), "--key-registry", fixture.registry], /no-log/],
      [["--out", join(home, "x"), "--log", fixture.log, "--key-registry", join(home, "none.json")], /none\.json/],
    ];
    for (const [args, message] of cases) {
      const r = runCli(["audit", "build-site", ...args]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(existsSync(join(home, "x"))).toBe(false);
  });
});

describe("reftrail audit serve", () => {
  it("serves the built site on 127.0.0.1 by default", async () => {
    const site = join(home, "site-serve");
    expect(runCli(["audit", "build-site", "--out", site, "--log", fixture.log, "--key-registry", fixture.registry]).status).toBe(0);
    const child = spawn(process.execPath, [join(ROOT, "dist/cli/main.js"), "audit", "serve", "--dir", site, "--port", "0", "--json"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once("line", resolve);
        child.once("exit", (code) => reject(new Error(`audit serve exited with ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const page = await fetch(`${url}components/ovmf/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("ovmf: timeline");
    } finally {
      child.kill("SIGTERM");
    }
  });

  it("refuses a folder that holds no site", () => {
    const r = runCli(["audit", "serve", "--dir", home]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/holds no site/);
  });
});
