/**
 * `reftrail measure release` on the example manifest: whole-process time, and where the time goes,
 * from a V8 CPU profile of one run (self time grouped by what the code is doing).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, ROOT, RUNS, interleaved, ms, peakRssKiB, wall } from "./common.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function category(node: ProfileNode): string {
  const { functionName: f, url } = node.callFrame;
  if (f === "(garbage collector)") return "garbage collection";
  if (f === "(program)" || f === "(idle)") return "V8 and runtime (compilation, start-up)";
  if (/crypto/.test(url) || ["hash", "digest", "update", "_flush", "_transform"].includes(f)) return "hashing (OpenSSL through node:crypto)";
  if (/node_modules\/zod/.test(url)) return "zod (loading and schema validation)";
  if (/^node:internal\/(modules|bootstrap|process)|internal\/modules|esm/.test(url) || f === "compileForInternalLoader") return "module loading";
  if (/JSON|stringify|parse/.test(f)) return "JSON";
  if (/node:internal\/fs|^node:fs/.test(url) || ["read", "readSync", "readFileSync", "open", "close"].includes(f)) return "file I/O";
  if (url.includes("/dist/")) return "reftrail code";
  return "other Node internals";
}

const runs = Math.max(5, Math.min(RUNS, 11));
const out = join(mkdtempSync(join(tmpdir(), "reftrail-bench-")), "rv.json");
const command = [process.execPath, CLI, "measure", "release", "--manifest", join(ROOT, "examples/release-manifest.json"), "--out", out];
wall(command);
const [release, startup] = interleaved([command, [process.execPath, "-e", ""]], runs);
const rss = peakRssKiB(command) / 1024;

const profileDir = mkdtempSync(join(tmpdir(), "reftrail-prof-"));
wall([process.execPath, "--cpu-prof", `--cpu-prof-dir=${profileDir}`, ...command.slice(1)]);
const profile = JSON.parse(readFileSync(join(profileDir, readdirSync(profileDir)[0]!), "utf8")) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const totals = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  total += dt;
  const c = category(byId.get(id)!);
  totals.set(c, (totals.get(c) ?? 0) + dt);
});
rmSync(profileDir, { recursive: true, force: true });

process.stdout.write(
  [
    `measure release on examples/release-manifest.json, Node ${process.version}, medians of ${runs} runs, ${new Date().toISOString().slice(0, 10)}`,
    "",
    `| whole process | Node start-up alone | peak RSS |`,
    `|---|---|---|`,
    `| ${ms(release!)} | ${ms(startup!)} | ${rss.toFixed(1)} MiB |`,
    "",
    `Where one run's ${(total / 1000).toFixed(0)} ms of CPU profile go (self time):`,
    "",
    "| activity | ms | share |",
    "|---|---|---|",
    ...[...totals]
      .sort((a, b) => b[1] - a[1])
      .map(([c, t]) => `| ${c} | ${(t / 1000).toFixed(1)} | ${((t / total) * 100).toFixed(0)}% |`),
    "",
  ].join("\n"),
);
