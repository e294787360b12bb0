/**
 * `npm run bench`: whole-process timings of `reftrail measure launch-digest` next to virtee/sev-snp-measure
 * on the same input. The peer is never part of this repository: point SEV_SNP_MEASURE at a checkout of
 * github.com/virtee/sev-snp-measure (its sev-snp-measure.py runs with the machine's python3), or put
 * `sev-snp-measure` on PATH. Without it, reftrail's own figures are still reported.
 * Environment: BENCH_RUNS (default 21) runs per measurement, medians reported.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, RUNS, median, ms, wall } from "./common.js";

const runs = RUNS;
const ovmf = join(ROOT, ".fixtures/firmware/OVMF.fd");
const cli = [join(ROOT, "dist/cli/main.js"), "measure", "launch-digest"];

interface Sample {
  readonly seconds: number;
  readonly maxRssKiB: number;
  readonly stdout: string;
}

/** Wall time, peak RSS and output of one process, measured by GNU time around it. */
function sample(argv: readonly string[]): Sample {
  const start = process.hrtime.bigint();
  const result = spawnSync("/usr/bin/time", ["-f", "%M", "--", ...argv], { encoding: "utf8", maxBuffer: 256 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${argv.join(" ")} failed: ${result.stderr}`);
  return { seconds, maxRssKiB: Number(result.stderr.trim().split("\n").at(-1)), stdout: result.stdout };
}

function peerCommand(): string[] | undefined {
  const checkout = process.env["SEV_SNP_MEASURE"];
  if (checkout && existsSync(join(checkout, "sev-snp-measure.py"))) return ["python3", join(checkout, "sev-snp-measure.py")];
  const onPath = spawnSync("sh", ["-c", "command -v sev-snp-measure"], { encoding: "utf8" });
  return onPath.status === 0 ? [onPath.stdout.trim()] : undefined;
}

const singleArgs = ["--mode", "snp", "--ovmf", ovmf, "--vcpus", "4", "--vcpu-type", "EPYC-v4"];
const sweepArgs = ["--mode", "snp", "--ovmf", ovmf, "--vcpus", "1-512", "--vcpu-type", "all", "--vmm-type", "QEMU,ec2,gce", "--json"];
const peer = peerCommand();

// Warm-up: file cache, Node's compile cache, Python's bytecode cache.
for (let i = 0; i < 3; i++) {
  wall([process.execPath, ...cli, ...singleArgs]);
  if (peer) wall([...peer, ...singleArgs]);
}

const ours: number[] = [];
const theirs: number[] = [];
for (let i = 0; i < runs; i++) {
  const a = wall([process.execPath, ...cli, ...singleArgs]);
  ours.push(a.seconds);
  if (peer) {
    const b = wall([...peer, ...singleArgs]);
    if (b.stdout !== a.stdout) throw new Error(`digests differ: reftrail ${a.stdout} vs peer ${b.stdout}`);
    theirs.push(b.seconds);
  }
}
const nodeOnly: number[] = [];
for (let i = 0; i < runs; i++) nodeOnly.push(wall([process.execPath, "-e", ""]).seconds);

const sweepTimes: number[] = [];
const sweepRss: number[] = [];
let configurations = 0;
let digests = 0;
for (let i = 0; i < Math.max(5, Math.floor(runs / 2)); i++) {
  const s = sample([process.execPath, ...cli, ...sweepArgs]);
  sweepTimes.push(s.seconds);
  sweepRss.push(s.maxRssKiB);
  const report = JSON.parse(s.stdout) as { configurations: { digests: Record<string, string> }[] };
  configurations = report.configurations.length;
  digests = report.configurations.reduce((n, c) => n + Object.keys(c.digests).length, 0);
}

/**
 * The peer computes one digest per process, so its sweep is one run per (configuration, vCPU count).
 * Its cost per run grows with the vCPU count: sample runs spread over the sweep and scale their mean.
 */
const peerSweepSample: number[] = [];
if (peer) {
  const types = ["EPYC", "EPYC-Rome", "EPYC-Milan", "EPYC-Genoa", "EPYC-Turin"];
  for (let i = 0; i < runs; i++) {
    const vcpus = String(1 + Math.round((511 * i) / Math.max(1, runs - 1)));
    const vmm = ["QEMU", "ec2", "gce"][i % 3]!;
    const args = ["--mode", "snp", "--ovmf", ovmf, "--vcpus", vcpus, "--vcpu-type", types[i % types.length]!, "--vmm-type", vmm];
    peerSweepSample.push(wall([...peer, ...args]).seconds);
  }
}
const peerSweepEstimate = peerSweepSample.reduce((a, b) => a + b, 0) / Math.max(1, peerSweepSample.length);

const single = median(ours);
const sweep = median(sweepTimes);
const lines = [
  `Node ${process.version}, ${runs} runs per row (medians), ${new Date().toISOString().slice(0, 10)}`,
  "",
  "| measurement | reftrail | peer | ratio |",
  "|---|---|---|---|",
  `| one digest, whole process (snp, OVMF.fd, 4 vCPUs, EPYC-v4) | ${ms(single)} | ${peer ? ms(median(theirs)) : "n/a"} | ${peer ? `${(single / median(theirs)).toFixed(2)}x` : "n/a"} |`,
  `| Node start-up alone (\`node -e ""\`), the floor of the row above | ${ms(median(nodeOnly))} | | |`,
  `| full sweep in one process: ${digests} digests (${configurations} configurations x 512 vCPU counts) | ${ms(sweep)} | ${peer ? `${(peerSweepEstimate * digests).toFixed(0)} s (one run per digest: ${digests} x mean of ${runs} sampled runs, ${ms(peerSweepEstimate)})` : "n/a"} | ${peer ? `${sweep / (peerSweepEstimate * digests) < 0.001 ? (sweep / (peerSweepEstimate * digests)).toExponential(1) : (sweep / (peerSweepEstimate * digests)).toFixed(4)}x (${((peerSweepEstimate * digests) / sweep).toFixed(0)} times faster)` : "n/a"} |`,
  `| full sweep / one digest (goal at most 3x) | ${(sweep / single).toFixed(2)}x | | |`,
  `| full sweep peak RSS (goal under 150 MB) | ${(median(sweepRss) / 1024).toFixed(1)} MiB | | |`,
];
process.stdout.write(lines.join("\n") + "\n");
if (!peer) process.stdout.write("\n(peer not found: set SEV_SNP_MEASURE to a virtee/sev-snp-measure checkout)\n");
