/**
 * The bundled monitor Action (actions/monitor/dist/index.js) run as a runner runs it, against
 * `reftrail log serve` over bench/monitor.ts's log (100,000 entries, 1,000 by component keys) through
 * rekor-url with the pinned key, and the local GitHub API holding the 200 releases (1,000 statement
 * assets) and their reference-values documents. Timed as a whole process (wall time from spawn to
 * exit), from no state and from the state stored before the last 10 component entries (with the
 * statement-asset cache a first run leaves); peak RSS is the process's VmHWM, polled from /proc.
 * Run bench/monitor.ts first (it builds the log); needs `npm run build` (log serve) and the bundle.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseMonitorState, serializeMonitorState } from "../src/audit/monitor/state.js";
import type { ReferenceValues } from "../src/schema/reference-values.js";
import { runAction, type ActionRun } from "../test/helpers/action-runner.js";
import { startGitHubApi } from "../test/helpers/github-api/server.js";
import { serveLogProcess } from "../test/helpers/serve.js";
import { ROOT, median } from "./common.js";

const N = Number(process.env["BENCH_MONITOR_ENTRIES"] ?? 100_000);
const RUNS = Number(process.env["BENCH_RUNS"] ?? 5);
const dir = join(ROOT, ".bench", `monitor-${N}`);
const TOKEN = "ghs_bench_token";
if (!existsSync(join(dir, "fixture.json"))) {
  process.stderr.write(`bench/monitor-action: run bench/monitor.ts first (no ${dir})\n`);
  process.exit(2);
}
const fixture = JSON.parse(readFileSync(join(dir, "fixture.json"), "utf8")) as { registry: string; statements: string[]; documents: ReferenceValues[] };

const server = await startGitHubApi({ token: TOKEN });
const repository = server.state.addRepository({ owner: "bench", name: "firmware", files: { "README.md": "bench\n" } });
let next = 0;
for (const document of fixture.documents) {
  const release = repository.addRelease({ tagName: document.release.version });
  for (const c of document.components) repository.addAsset(release, { name: `${c.name}.endorsement.json`, data: Buffer.from(fixture.statements[next++]!, "base64"), contentType: "application/json" });
}
const head = repository.refs.get("refs/heads/main")!;
const files = Object.fromEntries(fixture.documents.map((d) => [`reference-values/${d.release.version}.json`, Buffer.from(JSON.stringify(d))]));
repository.refs.set("refs/heads/main", repository.commit(head, "reference values", files).sha);

const served = await serveLogProcess(join(dir, "log"));
const workspace = mkdtempSync(join(tmpdir(), "reftrail-bench-monitor-"));
writeFileSync(join(workspace, "registry.json"), fixture.registry);
copyFileSync(join(dir, "log", "log-public-key.pem"), join(workspace, "rekor.pem"));

/** The highest VmHWM of the monitor bundle's process while `run` lasts. */
async function withPeak(run: Promise<ActionRun>): Promise<{ run: ActionRun; peakKiB: number }> {
  let peak = 0;
  const timer = setInterval(() => {
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("actions/monitor/dist/index.js")) continue;
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (hwm) peak = Math.max(peak, Number(hwm[1]));
      } catch {
        // the process ended meanwhile
      }
    }
  }, 10);
  try {
    return { run: await run, peakKiB: peak };
  } finally {
    clearInterval(timer);
  }
}

async function once(stateFile: string): Promise<{ seconds: number; peakKiB: number; run: ActionRun }> {
  const start = performance.now();
  const { run, peakKiB } = await withPeak(
    runAction("monitor", { inputs: { "key-registry": "registry.json", "rekor-url": served.url, "rekor-key": "rekor.pem", "state-file": stateFile }, workspace, repository: "bench/firmware", apiUrl: server.api, token: TOKEN }),
  );
  const seconds = (performance.now() - start) / 1000;
  if (run.code !== 0 || run.outputs["problems"] !== "0") throw new Error(`monitor run failed: ${run.errors.join("; ")} ${run.stderr}`);
  return { seconds, peakKiB, run };
}

const results = { nostate: [] as { seconds: number; peakKiB: number; entries: string }[], state: [] as { seconds: number; peakKiB: number; entries: string }[] };
try {
  for (let i = 0; i < RUNS; i++) {
    const fresh = join(workspace, `fresh-${i}.json`);
    const first = await once(fresh);
    results.nostate.push({ seconds: first.seconds, peakKiB: first.peakKiB, entries: first.run.outputs["entries"]! });
    // The state stored before the last 10 entries, with the asset cache the first run left.
    const before = parseMonitorState(readFileSync(join(dir, "state-before.json"), "utf8"), "state-before.json");
    const cache = parseMonitorState(readFileSync(fresh, "utf8"), fresh).statementAssets;
    const stored = join(workspace, `stored-${i}.json`);
    writeFileSync(stored, serializeMonitorState({ ...before, statementAssets: cache }));
    const second = await once(stored);
    results.state.push({ seconds: second.seconds, peakKiB: second.peakKiB, entries: second.run.outputs["entries"]! });
  }
} finally {
  await served.stop();
  await server.close();
  rmSync(workspace, { recursive: true, force: true });
}
const row = (label: string, rs: { seconds: number; peakKiB: number; entries: string }[]) =>
  `| ${label} | ${rs[0]!.entries} | ${(median(rs.map((r) => r.seconds)) * 1000).toFixed(0)} ms | ${(Math.max(...rs.map((r) => r.peakKiB)) / 1024).toFixed(0)} MiB |`;
process.stdout.write(
  [
    `Bundled monitor Action against \`reftrail log serve\` (${N.toLocaleString("en")} entries, 1,000 by component keys) and the local GitHub API (200 releases, 1,000 statement assets), Node ${process.version}, median of ${RUNS} runs, ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| run | entries checked | time (process, spawn to exit) | peak RSS (VmHWM) |",
    "|---|---|---|---|",
    row("no state (1,000 assets downloaded and hashed)", results.nostate),
    row("from stored state (10 new entries, asset hashes cached)", results.state),
    "",
  ].join("\n"),
);
