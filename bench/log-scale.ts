/**
 * The embedded log at 1,000,000 entries: server-side inclusion and consistency proof times, memory,
 * and bytes on disk per entry. The fill appends structurally real hashedrekord bodies (one signed
 * entry's canonical body with a distinct artifact digest each) through the log's own batched commit
 * path, SETs and checkpoints included; per-entry signature verification is measured by
 * bench/log-append.ts instead, and would only slow the fill. The filled log is kept in
 * .bench/log-<N> and reused by later runs.
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { canonicalizeEntry } from "../src/tlog/kinds/entries.js";
import { EmbeddedLog, initLog, logPaths } from "../src/tlog/embedded/log.js";
import { LogStore } from "../src/tlog/embedded/store.js";
import { ProofBuilder } from "../src/tlog/proofs.js";
import { handleRekorApi } from "../src/tlog/embedded/api.js";
import { fileURLToPath } from "node:url";
import { ROOT, median } from "./common.js";

const N = Number(process.env["BENCH_LOG_ENTRIES"] ?? 1_000_000);
const dir = join(ROOT, ".bench", `log-${N}`);
const SAMPLES = 1000;

function template() {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const artifact = Buffer.from("template");
  const proposal = {
    kind: "hashedrekord" as const,
    apiVersion: "0.0.1" as const,
    spec: {
      data: { hash: { algorithm: "sha256" as const, value: createHash("sha256").update(artifact).digest("hex") } },
      signature: { content: sign("sha256", artifact, privateKey).toString("base64"), publicKey: { content: Buffer.from(publicKey.export({ type: "spki", format: "pem" }) as string).toString("base64") } },
    },
  };
  const canonical = canonicalizeEntry(proposal);
  return { body: Buffer.from(canonical.body).toString(), digest: proposal.spec.data.hash.value };
}

async function fill(): Promise<number> {
  const size = existsSync(logPaths(dir).database) ? (() => {
    const log = EmbeddedLog.open(dir);
    const n = log.current().size;
    log.close();
    return n;
  })() : -1;
  if (size === N) return 0;
  rmSync(dir, { recursive: true, force: true });
  initLog(dir, "scale.bench.local");
  const log = EmbeddedLog.open(dir);
  const { body, digest } = template();
  const start = performance.now();
  const CHUNK = 10_000;
  for (let i = 0; i < N; i += CHUNK) {
    await Promise.all(
      Array.from({ length: Math.min(CHUNK, N - i) }, (_, j) => {
        const value = createHash("sha256").update(`artifact ${i + j}`).digest("hex");
        return log.submit({ kind: "hashedrekord", body: Buffer.from(body.replace(digest, value)), searchKeys: [`sha256:${value}`] });
      }),
    );
    if ((i / CHUNK) % 10 === 0) process.stderr.write(`\rfilling: ${i + CHUNK} / ${N}`);
  }
  process.stderr.write("\n");
  log.close();
  return (performance.now() - start) / 1000;
}

if (!process.argv.includes("--measure")) {
  // Fill in this process, measure in a fresh one: its memory then reflects serving proofs only.
  const fillSeconds = await fill();
  const { spawnSync } = await import("node:child_process");
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--measure", String(fillSeconds)], { stdio: "inherit" });
  process.exit(child.status ?? 1);
}
const fillSeconds = Number(process.argv[process.argv.indexOf("--measure") + 1]);
const db = new DatabaseSync(logPaths(dir).database);
db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
db.close();
const bytes = statSync(logPaths(dir).database).size;

const rss0 = process.memoryUsage().rss;
const store = LogStore.open(logPaths(dir).database);
const size = store.size();
const random = (n: number) => Math.floor(Math.random() * n);
const ms = (t: number) => `${t.toFixed(3)} ms`;
const time = (fn: () => void) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.99)]!;

// Cold: a fresh builder per proof, nothing cached between samples.
const inclusionCold = Array.from({ length: SAMPLES }, () => time(() => {
  const b = new ProofBuilder(store);
  b.inclusion(random(size), size);
  b.root(size);
}));
const consistencyCold = Array.from({ length: SAMPLES }, () => time(() => {
  const last = 1 + random(size);
  new ProofBuilder(store).consistency(1 + random(last), last);
}));
store.close();

// Through the API handler, as `log serve` answers GET /api/v1/log/entries?logIndex=N.
const log = EmbeddedLog.open(dir);
const viaApi: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const t = performance.now();
  const res = await handleRekorApi(log, { method: "GET", path: "/api/v1/log/entries", query: new URLSearchParams({ logIndex: String(random(size)) }), body: undefined, origin: "" });
  viaApi.push(performance.now() - t);
  if (res.status !== 200) throw new Error(`GET answered ${res.status}`);
}
const proofViaApi: number[] = [];
for (let i = 0; i < SAMPLES; i++) {
  const last = 1 + random(size);
  const query = new URLSearchParams({ firstSize: String(1 + random(last)), lastSize: String(last) });
  const t = performance.now();
  await handleRekorApi(log, { method: "GET", path: "/api/v1/log/proof", query, body: undefined, origin: "" });
  proofViaApi.push(performance.now() - t);
}
log.close();
const rss1 = process.memoryUsage().rss;

process.stdout.write(
  [
    `Embedded log with ${size.toLocaleString("en")} entries${fillSeconds ? ` (filled in ${fillSeconds.toFixed(0)} s)` : " (reused .bench)"}, Node ${process.version}, ${SAMPLES} random samples each, ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| measurement | median | p99 | goal |",
    "|---|---|---|---|",
    `| inclusion proof + root, cold (fresh builder) | ${ms(median(inclusionCold))} | ${ms(p99(inclusionCold))} | under 5 ms |`,
    `| consistency proof, cold | ${ms(median(consistencyCold))} | ${ms(p99(consistencyCold))} | under 5 ms |`,
    `| GET /api/v1/log/entries?logIndex (handler: proof, SET, JSON) | ${ms(median(viaApi))} | ${ms(p99(viaApi))} | |`,
    `| GET /api/v1/log/proof (handler) | ${ms(median(proofViaApi))} | ${ms(p99(proofViaApi))} | |`,
    "",
    `On disk: ${(bytes / 1048576).toFixed(0)} MiB, ${(bytes / size).toFixed(0)} bytes per entry (canonical body ${Buffer.byteLength(template().body)} bytes of it). Measuring process RSS: ${(rss0 / 1048576).toFixed(0)} MiB before opening the log, ${(rss1 / 1048576).toFixed(0)} MiB after ${SAMPLES * 4} proofs.`,
    "",
  ].join("\n"),
);
