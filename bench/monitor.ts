/**
 * The monitor over an embedded log of 100,000 entries of which 1,000 are signed by component keys
 * (5 components x 200 releases, each a real reftrail statement, RFC 6979-signed and logged as the
 * endorse Action logs it), the other 99,000 by 10 unrelated keys. Timed: one run of the monitor
 * library from no state (every component entry fetched, verified and matched), and one from the state
 * stored when the log held all but the last 10 component entries (10 new entries to check). Each run
 * is a fresh process (`--measure`), timed inside around monitorLog, its peak RSS by GNU time. The log
 * is built once through the embedded log's batched submit (no HTTP) and kept in .bench/monitor-<N>.
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorLog, type MonitorRun } from "../src/audit/monitor/monitor.js";
import { statementsInMemory } from "../src/audit/monitor/released.js";
import { emptyMonitorState, parseMonitorState, serializeMonitorState } from "../src/audit/monitor/state.js";
import { hashedRekordFor } from "../src/endorse/publish.js";
import { signStatement } from "../src/endorse/sign.js";
import { signableStatement } from "../src/endorse/statement.js";
import { keyIdOf, publicKeyPem } from "../src/keys/component-keys.js";
import { parseKeyRegistry } from "../src/keys/registry.js";
import type { ReferenceValues } from "../src/schema/reference-values.js";
import { RekorClient } from "../src/tlog/client.js";
import { EmbeddedLog, initLog } from "../src/tlog/embedded/log.js";
import { inProcessTransport } from "../src/tlog/embedded/in-process.js";
import { canonicalizeEntry, type CanonicalEntry } from "../src/tlog/kinds/entries.js";
import { ROOT, median } from "./common.js";

const N = Number(process.env["BENCH_MONITOR_ENTRIES"] ?? 100_000);
const COMPONENTS = ["ovmf", "kernel", "initrd", "cmdline", "ovmf-vars"];
const RELEASES = 200;
/** Component entries logged after the stored state: the releases 198 and 199. */
const NEW_RELEASES = 2;
const UNRELATED_KEYS = 10;
const RUNS = Number(process.env["BENCH_RUNS"] ?? 5);
const dir = join(ROOT, ".bench", `monitor-${N}`);
const logDir = join(dir, "log");
const fixtureFile = join(dir, "fixture.json");
const stateFile = join(dir, "state-before.json");

interface Fixture {
  readonly registry: string;
  /** Base64 statements of every release. */
  readonly statements: string[];
  readonly documents: ReferenceValues[];
}

const DAY_NS = 86_400n * 1_000_000_000n;

function releaseValues(version: number): ReferenceValues {
  return {
    version: 1,
    release: { name: "bench-firmware", version: `1.${version}` },
    generator: "bench",
    components: COMPONENTS.map((c) => ({ kind: "artifact" as const, name: c, version: `1.${version}`, claims: [], subject: { name: `${c}.bin`, digest: { sha256: createHash("sha256").update(`${c} ${version}`).digest("hex") } }, size: 4096 })),
  };
}

/** An unrelated signer's entry: one real body per key, its digest swapped per entry (the monitor never reads them). */
function unrelatedTemplates(): { body: string; digest: string; keySearch: string }[] {
  return Array.from({ length: UNRELATED_KEYS }, (_, k) => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const artifact = Buffer.from(`unrelated ${k}`);
    const digest = createHash("sha256").update(artifact).digest("hex");
    const canonical = canonicalizeEntry({
      kind: "hashedrekord",
      apiVersion: "0.0.1",
      spec: { data: { hash: { algorithm: "sha256", value: digest } }, signature: { content: sign("sha256", artifact, privateKey).toString("base64"), publicKey: { content: Buffer.from(publicKeyPem(publicKey)).toString("base64") } } },
    });
    return { body: Buffer.from(canonical.body).toString(), digest, keySearch: canonical.searchKeys.find((s) => s.startsWith("key:"))! };
  });
}

function monitorInput(client: RekorClient, log: EmbeddedLog, fixture: Fixture, state = emptyMonitorState()) {
  const documents = new Map(fixture.documents.map((d) => [d.release.version, d]));
  return {
    client,
    log: { identity: log.identity, name: log.name, source: "bench log" },
    registry: parseKeyRegistry(fixture.registry, "registry.json"),
    registrySource: "registry.json",
    statements: statementsInMemory(fixture.statements.map((s, i) => ({ bytes: Buffer.from(s, "base64"), source: `statement ${i}` }))),
    referenceValues: (version: string) => Promise.resolve(documents.get(version)),
    state,
  };
}

async function build(): Promise<number> {
  if (existsSync(fixtureFile) && existsSync(stateFile)) return 0;
  const start = performance.now();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  initLog(logDir, "monitor.bench.local");
  const log = EmbeddedLog.open(logDir);
  const keys = new Map(COMPONENTS.map((c) => [c, generateKeyPairSync("ec", { namedCurve: "P-256" })]));
  const registry = JSON.stringify({ version: 1, components: Object.fromEntries([...keys].map(([c, k]) => [c, [{ keyId: keyIdOf(k.publicKey), publicKey: publicKeyPem(k.publicKey), validFor: { start: "2020-01-01T00:00:00Z" } }]])) });
  const now = BigInt(Date.now()) * 1_000_000n;
  const times = { issuedOn: now - DAY_NS, notBefore: now - DAY_NS, notAfter: now + 365n * DAY_NS };
  const statements: string[] = [];
  const documents: ReferenceValues[] = [];
  const componentEntries: CanonicalEntry[] = [];
  for (let r = 0; r < RELEASES; r++) {
    const values = releaseValues(r);
    documents.push(values);
    for (const c of values.components) {
      const key = keys.get(c.name)!;
      const { bytes } = signableStatement(values.release, c, times);
      statements.push(Buffer.from(bytes).toString("base64"));
      componentEntries.push(canonicalizeEntry(hashedRekordFor({ statement: bytes, signature: signStatement(bytes, key.privateKey, key.publicKey), publicKeyPem: publicKeyPem(key.publicKey) })));
    }
  }
  const templates = unrelatedTemplates();
  const before = componentEntries.length - NEW_RELEASES * COMPONENTS.length;
  const beforeTotal = N - NEW_RELEASES * COMPONENTS.length;
  // Component entries spread evenly among the unrelated ones.
  const every = Math.floor(beforeTotal / before);
  const plan: CanonicalEntry[] = [];
  let component = 0;
  for (let i = 0; i < beforeTotal; i++) {
    if (i % every === every - 1 && component < before) {
      plan.push(componentEntries[component++]!);
      continue;
    }
    const t = templates[i % templates.length]!;
    const value = createHash("sha256").update(`unrelated artifact ${i}`).digest("hex");
    plan.push({ kind: "hashedrekord", body: Buffer.from(t.body.replace(t.digest, value)), searchKeys: [`sha256:${value}`, t.keySearch] });
  }
  if (component !== before) throw new Error(`placed ${component} of ${before} component entries`);
  for (let i = 0; i < plan.length; i += 10_000) {
    await Promise.all(plan.slice(i, i + 10_000).map((e) => log.submit(e)));
    process.stderr.write(`\rbuilding: ${Math.min(i + 10_000, plan.length)} / ${N}`);
  }
  const fixture: Fixture = { registry, statements, documents };
  const run = await monitorLog(monitorInput(new RekorClient(inProcessTransport(log)), log, fixture));
  if (run.problems.length !== 0 || run.entries !== before) throw new Error(`the stored state's run found ${run.problems.length} problems in ${run.entries} entries`);
  writeFileSync(stateFile, serializeMonitorState(run.state));
  await Promise.all(componentEntries.slice(before).map((e) => log.submit(e)));
  process.stderr.write(`\rbuilding: ${log.current().size} / ${N}\n`);
  log.close();
  writeFileSync(fixtureFile, JSON.stringify(fixture));
  return (performance.now() - start) / 1000;
}

/** One run in this process: `nostate` or `state`; prints seconds and what the run found. */
async function measure(mode: string): Promise<void> {
  const fixture = JSON.parse(readFileSync(fixtureFile, "utf8")) as Fixture;
  const state = mode === "state" ? parseMonitorState(readFileSync(stateFile, "utf8"), stateFile) : emptyMonitorState();
  const log = EmbeddedLog.open(logDir);
  const input = monitorInput(new RekorClient(inProcessTransport(log)), log, fixture, state);
  const start = performance.now();
  const run: MonitorRun = await monitorLog(input);
  const seconds = (performance.now() - start) / 1000;
  log.close();
  process.stdout.write(`${JSON.stringify({ seconds, entries: run.entries, problems: run.problems.length, size: run.checkpoint?.size })}\n`);
}

if (process.argv.includes("--measure")) {
  await measure(process.argv[process.argv.indexOf("--measure") + 1]!);
} else {
  const built = await build();
  const script = fileURLToPath(import.meta.url);
  const results = new Map<string, { seconds: number[]; rssKiB: number[]; entries: number; problems: number; size: number }>();
  for (let i = 0; i < RUNS; i++) {
    for (const mode of ["nostate", "state"]) {
      const child = spawnSync("/usr/bin/time", ["-f", "%M", "--", process.execPath, ...process.execArgv, script, "--measure", mode], { encoding: "utf8", cwd: ROOT, maxBuffer: 64 << 20 });
      if (child.status !== 0) throw new Error(`--measure ${mode} failed: ${child.stderr}`);
      const out = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { seconds: number; entries: number; problems: number; size: number };
      const r = results.get(mode) ?? { seconds: [], rssKiB: [], entries: out.entries, problems: out.problems, size: out.size };
      r.seconds.push(out.seconds);
      r.rssKiB.push(Number(child.stderr.trim().split("\n").at(-1)));
      results.set(mode, r);
    }
  }
  const row = (label: string, mode: string) => {
    const r = results.get(mode)!;
    if (r.problems !== 0) throw new Error(`${mode}: ${r.problems} problems on a clean log`);
    return `| ${label} | ${r.entries} | ${(median(r.seconds) * 1000).toFixed(0)} ms | ${(Math.max(...r.rssKiB) / 1024).toFixed(0)} MiB |`;
  };
  process.stdout.write(
    [
      `Monitor over an embedded log of ${results.get("nostate")!.size.toLocaleString("en")} entries, ${RELEASES * COMPONENTS.length} by ${COMPONENTS.length} component keys (in-process client), Node ${process.version}, median of ${RUNS} fresh processes${built ? ` (log built in ${built.toFixed(0)} s)` : " (log reused from .bench)"}, ${new Date().toISOString().slice(0, 10)}`,
      "",
      "| run | entries checked | time (monitorLog) | peak RSS (process) |",
      "|---|---|---|---|",
      row("no state (first run)", "nostate"),
      row(`from stored state (${NEW_RELEASES * COMPONENTS.length} new entries)`, "state"),
      "",
    ].join("\n"),
  );
}
