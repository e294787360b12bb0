import { spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { ROOT } from "../../helpers/fixtures.js";
import { serveLogProcess } from "../../helpers/serve.js";
import { hashedRekordFor } from "../../../src/endorse/publish.js";
import { publicKeyPem } from "../../../src/keys/component-keys.js";
import { EmbeddedLog } from "../../../src/tlog/embedded/log.js";
import { canonicalizeEntry } from "../../../src/tlog/kinds/entries.js";
import { buildSiteLog, type SiteLog } from "./site-log.js";

let home: string;
let fixture: SiteLog;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), "reftrail-site-cli-"));
  fixture = await buildSiteLog(home, 3);
}, 120_000);
afterAll(() => rmSync(home, { recursive: true, force: true }));

const entryPages = (site: string) => readdirSync(join(site, "entries")).length;

/** `audit build-site` with its own auditor state under the test's home (never the repository's .reftrail/). */
let states = 0;
const buildSite = (args: readonly string[], state = join(home, `state-${++states}`)) => runCli(["audit", "build-site", ...args, "--state", state]);

/** A log folder copied and grown by one entry of `statement` (signed by a key no component has): copies that grew differently fork. */
async function grownCopy(name: string, statement: string): Promise<string> {
  const dir = join(home, name);
  cpSync(fixture.log, dir, { recursive: true });
  const log = EmbeddedLog.open(dir);
  try {
    const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const bytes = Buffer.from(statement);
    await log.submit(canonicalizeEntry(hashedRekordFor({ statement: bytes, signature: sign("sha256", bytes, keys.privateKey), publicKeyPem: publicKeyPem(keys.publicKey) })));
  } finally {
    log.close();
  }
  return dir;
}

describe("reftrail audit build-site", () => {
  it("writes a page per entry of an embedded log and flags the release without reference values", () => {
    const site = join(home, "site-log");
    const r = buildSite(["--out", site, "--log", fixture.log, "--key-registry", fixture.registry, "--reference-values", fixture.referenceValues, "--json"]);
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
    const r = buildSite(["--out", site, "--log", fixture.log, "--key-registry", fixture.registry]);
    expect(r.status, r.stderr).toBe(0);
    const timeline = readFileSync(join(site, "components", "cmdline", "index.html"), "utf8");
    expect(timeline).not.toContain('class="flagged"');
    expect(timeline).toContain("not compared");
  });

  it("reads a Rekor v1 server by component key, with the statements from --endorsements", async () => {
    const served = await serveLogProcess(fixture.log);
    try {
      const site = join(home, "site-rekor");
      const r = buildSite(["--out", site, "--rekor-url", served.url, "--rekor-key", fixture.logKey, "--endorsements", fixture.endorsements, "--key-registry", fixture.registry]);
      expect(r.status, r.stderr).toBe(0);
      expect(entryPages(site)).toBe(fixture.entries);
      // --endorsements holds the first release only: its entries carry their statement, the others not.
      const withStatement = readdirSync(join(site, "entries")).filter((f) => readFileSync(join(site, "entries", f), "utf8").includes('id="raw-statement"'));
      expect(withStatement).toHaveLength(fixture.values.components.length);
    } finally {
      await served.stop();
    }
  });

  it("shows the auditor's checkpoint status: consistent with the stored one, then a fork that is not stored", async () => {
    const grown = await grownCopy("grown-log", "one history");
    const forked = await grownCopy("forked-log", "another history");
    const state = join(home, "state-fork");
    expect(buildSite(["--out", join(home, "site-first"), "--log", fixture.log, "--key-registry", fixture.registry], state).status).toBe(0);
    const first = readFileSync(join(home, "site-first", "index.html"), "utf8");
    expect(first).toContain("it is the first one this auditor stored");
    const r = buildSite(["--out", join(home, "site-grown"), "--log", grown, "--key-registry", fixture.registry, "--json"], state);
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { log: { stored: { size: number } } }).log.stored.size).toBe(fixture.entries);
    expect(readFileSync(join(home, "site-grown", "index.html"), "utf8")).toContain(`consistent with the one this auditor verified before (tree size ${fixture.entries})`);
    const stored = readFileSync(join(state, readdirSync(state)[0]!), "utf8");
    const fork = buildSite(["--out", join(home, "site-fork"), "--log", forked, "--key-registry", fixture.registry, "--json"], state);
    expect(fork.status, fork.stderr).toBe(0);
    expect(fork.stderr).toMatch(/FORK/);
    expect((JSON.parse(fork.stdout) as { log: { problem: { kind: string }; advanced: boolean } }).log).toMatchObject({ problem: { kind: "FORK" }, advanced: false });
    const overview = readFileSync(join(home, "site-fork", "index.html"), "utf8");
    expect(overview).toMatch(/<strong>FORK:<\/strong>/);
    // Every history's LOG_CHECKPOINT failed: the components are shown failing, and their entries cannot be called consistent.
    expect(overview).toContain("failed: LOG_CHECKPOINT");
    expect(readFileSync(join(state, readdirSync(state)[0]!), "utf8")).toBe(stored);
  });

  it("says what changed between consecutive releases on the timeline and entry pages", () => {
    const site = join(home, "site-changes");
    expect(buildSite(["--out", site, "--log", fixture.log, "--key-registry", fixture.registry]).status).toBe(0);
    const timeline = readFileSync(join(site, "components", "cmdline", "index.html"), "utf8");
    // Releases 2026.12.1..3 follow 2026.11.0 with the same values but the version: each row names the release change.
    for (let r = 2; r <= 3; r++) expect(timeline).toContain(`release ${fixture.values.release.name} 2026.12.${r - 1} → ${fixture.values.release.name} 2026.12.${r}`);
    expect(timeline).toContain(`release ${fixture.values.release.name} 2026.11.0 → ${fixture.values.release.name} 2026.12.1`);
  });

  it("refuses contradictory or missing options with exit 2 and one line", () => {
    const cases: [string[], RegExp][] = [
      [["--log", fixture.log, "--key-registry", fixture.registry], /--out/],
      [["--out", join(home, "x"), "--key-registry", fixture.registry], /give --log DIR or --rekor-url URL/],
      [["--out", join(home, "x"), "--log", fixture.log, "--rekor-url", "http://127.0.0.1:1", "--key-registry", fixture.registry], /not both/],
      [["--out", join(home, "x"), "--log", fixture.log, "--rekor-key", fixture.logKey, "--key-registry", fixture.registry], /--rekor-key/],
      [["--out", join(home, "x"), "--log", join(home, "no-log"), "--key-registry", fixture.registry], /no-log/],
      [["--out", join(home, "x"), "--log", fixture.log, "--key-registry", join(home, "none.json")], /none\.json/],
    ];
    for (const [args, message] of cases) {
      const r = buildSite(args);
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
    expect(buildSite(["--out", site, "--log", fixture.log, "--key-registry", fixture.registry]).status).toBe(0);
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
