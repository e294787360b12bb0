/**
 * The web viewer over a component with 100,000 logged endorsements (one key, one real reftrail
 * statement per release, each kept beside the embedded log as `publish release` keeps it). Timed:
 * `reftrail audit build-site` as a fresh process (wall time and peak RSS), without and with
 * --reference-values (every entry then judged as the monitor judges it); the weight of its pages; and
 * the time to first render of the component's timeline in Debian's Chromium (first-contentful-paint
 * from the Performance API, the page served by the site server on 127.0.0.1). The log is built once
 * through the embedded log's batched submit (as bench/monitor.ts does) and kept in .bench/site-<N>.
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { listenSite } from "../src/audit/site/serve.js";
import { hashedRekordFor } from "../src/endorse/publish.js";
import { signableStatement } from "../src/endorse/statement.js";
import { keyIdOf, publicKeyPem } from "../src/keys/component-keys.js";
import type { ReferenceValues } from "../src/schema/reference-values.js";
import { EmbeddedLog, initLog } from "../src/tlog/embedded/log.js";
import { statementsDir } from "../src/tlog/embedded/statements.js";
import { canonicalizeEntry } from "../src/tlog/kinds/entries.js";
import { CLI, ROOT, median, peakRssKiB, wall } from "./common.js";

const N = Number(process.env["BENCH_SITE_ENTRIES"] ?? 100_000);
const RUNS = Number(process.env["BENCH_RUNS"] ?? 3);
const RENDERS = 9;
const COMPONENT = "ovmf-vars";
const dir = join(ROOT, ".bench", `site-${N}`);
const logDir = join(dir, "log");
const registryFile = join(dir, "registry.json");
const valuesDir = join(dir, "reference-values");
const done = join(dir, "built");

const DAY_NS = 86_400n * 1_000_000_000n;

function releaseValues(r: number): ReferenceValues {
  const version = `1.${r}`;
  return {
    version: 1,
    release: { name: "bench-site", version },
    generator: "bench",
    components: [{ kind: "artifact", name: COMPONENT, version, claims: [], subject: { name: `${COMPONENT}.fd`, digest: { sha256: createHash("sha256").update(`${COMPONENT} ${r}`).digest("hex") } }, size: 540672 }],
  };
}

async function build(): Promise<number> {
  if (existsSync(done)) return 0;
  const start = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(valuesDir, { recursive: true });
  initLog(logDir, "site.bench.local");
  mkdirSync(statementsDir(logDir), { recursive: true });
  const log = EmbeddedLog.open(logDir);
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  writeFileSync(registryFile, JSON.stringify({ version: 1, components: { [COMPONENT]: [{ keyId: keyIdOf(publicKey), publicKey: publicKeyPem(publicKey), validFor: { start: "2020-01-01T00:00:00Z" } }] } }));
  const now = BigInt(Date.now()) * 1_000_000n;
  const times = { issuedOn: now - DAY_NS, notBefore: now - DAY_NS, notAfter: now + 365n * DAY_NS };
  const pem = publicKeyPem(publicKey);
  for (let i = 0; i < N; i += 10_000) {
    const batch = [];
    for (let r = i; r < Math.min(i + 10_000, N); r++) {
      const values = releaseValues(r);
      writeFileSync(join(valuesDir, `${values.release.version}.json`), JSON.stringify(values));
      const { bytes } = signableStatement(values.release, values.components[0]!, times);
      // As keepStatement stores it (statements/<sha256>.json), without its two fsyncs per file.
      writeFileSync(join(statementsDir(logDir), `${createHash("sha256").update(bytes).digest("hex")}.json`), bytes);
      // node:crypto's randomized ECDSA: the same verification, a tenth of the signing time of RFC 6979.
      batch.push(log.submit(canonicalizeEntry(hashedRekordFor({ statement: bytes, signature: sign("sha256", bytes, privateKey), publicKeyPem: pem }))));
    }
    await Promise.all(batch);
    process.stderr.write(`\rbuilding: ${Math.min(i + 10_000, N)} / ${N}`);
  }
  process.stderr.write("\n");
  log.close();
  writeFileSync(done, "");
  return (performance.now() - start) / 1000;
}

function sizes(site: string): { timeline: number; entry: number; largest: number; files: number; total: number } {
  let largest = 0;
  let files = 0;
  let total = 0;
  for (const f of readdirSync(site, { recursive: true, encoding: "utf8" })) {
    const s = statSync(join(site, f));
    if (!s.isFile()) continue;
    files++;
    total += s.size;
    if (f.endsWith(".html")) largest = Math.max(largest, s.size);
  }
  return { timeline: statSync(join(site, "components", COMPONENT, "index.html")).size, entry: statSync(join(site, "entries", "0.html")).size, largest, files, total };
}

/** First contentful paint and DOMContentLoaded of the timeline's first page, each load in a fresh context. */
async function firstRender(site: string): Promise<{ fcp: number[]; dcl: number[] }> {
  const browser = await chromium.launch({ executablePath: process.env["REFTRAIL_CHROMIUM"] ?? "/usr/bin/chromium", args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] });
  const { url, server } = await listenSite(site, "127.0.0.1", 0);
  const fcp: number[] = [];
  const dcl: number[] = [];
  try {
    for (let i = 0; i < RENDERS; i++) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await page.goto(`${url}components/${COMPONENT}/index.html`, { waitUntil: "load" });
      // The paint entry may be recorded after "load": wait for it through a buffered observer.
      const t = (await page.evaluate(
        `new Promise((resolve) => new PerformanceObserver((list, observer) => { const p = list.getEntriesByName("first-contentful-paint")[0]; if (!p) return; observer.disconnect(); resolve({ fcp: p.startTime, dcl: performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd }); }).observe({ type: "paint", buffered: true }))`,
      )) as { fcp: number; dcl: number };
      fcp.push(t.fcp);
      dcl.push(t.dcl);
      await ctx.close();
    }
  } finally {
    server.close();
    await browser.close();
  }
  return { fcp, dcl };
}

const built = await build();
const site = join(dir, "site");
const state = join(dir, "auditor-state");
// Each run starts from no auditor state (the state then only records the checkpoint).
const plain = ["audit", "build-site", "--out", site, "--log", logDir, "--key-registry", registryFile, "--state", state];
const judged = [...plain, "--reference-values", valuesDir];
const rows: string[] = [];
for (const [label, args] of [["build-site", plain], ["build-site --reference-values", judged]] as const) {
  const seconds: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    rmSync(site, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
    seconds.push(wall([process.execPath, CLI, ...args]).seconds);
  }
  rmSync(site, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
  rss = peakRssKiB([process.execPath, CLI, ...args]);
  rows.push(`| ${label} | ${median(seconds).toFixed(1)} s | ${(rss / 1024).toFixed(0)} MiB |`);
}
const weight = sizes(site);
const render = await firstRender(site);
process.stdout.write(
  [
    `Web viewer over one component with ${N.toLocaleString("en")} logged endorsements (embedded log), Node ${process.version}, median of ${RUNS} fresh processes${built ? ` (log built in ${built.toFixed(0)} s)` : " (log reused from .bench)"}, ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| command | time | peak RSS |",
    "|---|---|---|",
    ...rows,
    "",
    `Site: ${weight.files.toLocaleString("en")} files, ${(weight.total / 1e6).toFixed(0)} MB; timeline page ${(weight.timeline / 1024).toFixed(1)} KiB, entry page ${(weight.entry / 1024).toFixed(1)} KiB, largest page ${(weight.largest / 1024).toFixed(1)} KiB.`,
    `Timeline page 1 in Chromium (${RENDERS} loads, fresh context each, served from 127.0.0.1): first contentful paint median ${median(render.fcp).toFixed(0)} ms, DOMContentLoaded median ${median(render.dcl).toFixed(0)} ms.`,
    "",
  ].join("\n"),
);
