/**
 * actions/endorse end to end on the example release: the committed bundle run as a runner runs it
 * (test/helpers/action-runner.ts) against the local GitHub REST server and a `reftrail log serve`
 * process standing in for Rekor. A fresh repository, release and log for every run: each run
 * downloads the four assets (16 MiB), measures, signs five endorsements, logs them over HTTP,
 * uploads 20 assets and opens the pull request. Then the same release again (the idempotent re-run).
 */
import { generateKeyPairSync } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { runAction } from "../test/helpers/action-runner.js";
import { startGitHubApi } from "../test/helpers/github-api/server.js";
import { serveLogProcess } from "../test/helpers/serve.js";
import { CLI, ROOT, median, ms } from "./common.js";

const RUNS = Number(process.env["BENCH_RUNS"] ?? 7);
const FILES: Record<string, string> = {
  "OVMF.fd": ".fixtures/firmware/OVMF.fd",
  "vmlinuz-6.1.0-56-cloud-amd64": ".fixtures/kernel/vmlinuz-6.1.0-56-cloud-amd64",
  "initrd.img": ".fixtures/kernel/initrd.img",
  "OVMF_VARS.fd": ".fixtures/firmware/OVMF_VARS.fd",
};
const COMPONENTS = ["ovmf", "linux-cloud", "initrd", "cmdline", "ovmf-vars"];
const env = Object.fromEntries(
  COMPONENTS.map((c) => [`REFTRAIL_KEY_${c.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string]),
);

async function once(): Promise<{ first: number; rerun: number; rssFirst: number; rssRerun: number }> {
  const scratch = mkdtempSync(join(tmpdir(), "reftrail-bench-endorse-"));
  const server = await startGitHubApi({ token: "bench" });
  const logDir = join(scratch, "log");
  if (spawnSync(process.execPath, [CLI, "log", "init", "--log", logDir]).status !== 0) throw new Error("log init failed");
  const log = await serveLogProcess(logDir);
  try {
    const repository = server.state.addRepository({ owner: "acme", name: "firmware", defaultBranch: "main", files: { "README.md": "x\n" } });
    const release = repository.addRelease({ tagName: "2026.11.0" });
    for (const [name, path] of Object.entries(FILES)) repository.addAsset(release, { name, data: readFileSync(join(ROOT, path)) });
    const workspace = join(scratch, "workspace");
    mkdirSync(join(workspace, "examples"), { recursive: true });
    cpSync(join(ROOT, "examples/release-manifest.json"), join(workspace, "examples/release-manifest.json"));
    const run = async () => {
      const rssFile = join(scratch, "rss");
      const start = process.hrtime.bigint();
      const result = await runAction("endorse", {
        inputs: { manifest: "examples/release-manifest.json", tag: "2026.11.0", "rekor-url": log.url, "rekor-key": join(logDir, "log-public-key.pem") },
        workspace,
        repository: "acme/firmware",
        apiUrl: server.api,
        token: "bench",
        env,
        wrapper: ["/usr/bin/time", "-f", "%M", "-o", rssFile],
      });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (result.code !== 0) throw new Error(`endorse failed: ${result.errors.join("; ")}`);
      return { seconds, rss: Number(readFileSync(rssFile, "utf8").trim().split("\n").at(-1)) / 1024 };
    };
    const first = await run();
    if (release.assets.length !== Object.keys(FILES).length + 20) throw new Error("the first run did not upload 20 assets");
    const rerun = await run();
    return { first: first.seconds, rerun: rerun.seconds, rssFirst: first.rss, rssRerun: rerun.rss };
  } finally {
    await log.stop();
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

await once(); // warm-up: page cache, compile cache
const results = [];
for (let i = 0; i < RUNS; i++) results.push(await once());
const measureOnly = [];
for (let i = 0; i < RUNS; i++) {
  const start = process.hrtime.bigint();
  if (spawnSync(process.execPath, [CLI, "measure", "release", "--manifest", "examples/release-manifest.json"], { cwd: ROOT, maxBuffer: 64 << 20 }).status !== 0) throw new Error("measure release failed");
  measureOnly.push(Number(process.hrtime.bigint() - start) / 1e9);
}
process.stdout.write(
  `| run | wall time (median of ${RUNS}) | peak RSS (median) |\n|---|---|---|\n` +
    `| first run: download 16 MiB, measure, sign 5, log 5 over HTTP, upload 20 assets, branch + pull request | ${ms(median(results.map((r) => r.first)))} | ${median(results.map((r) => r.rssFirst)).toFixed(1)} MiB |\n` +
    `| re-run of the same release (everything found, nothing written) | ${ms(median(results.map((r) => r.rerun)))} | ${median(results.map((r) => r.rssRerun)).toFixed(1)} MiB |\n` +
    `| for scale: \`reftrail measure release\` alone (the CLI, local files) | ${ms(median(measureOnly))} | |\n`,
);
