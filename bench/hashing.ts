/**
 * Artifact hashing throughput: `reftrail measure artifact` on a 1 GiB file next to `openssl dgst` on
 * the same file, one algorithm and three in one pass, with peak RSS. The file is read once before
 * timing so every run hashes from the page cache (what is measured is hashing, not the disk).
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { randomFillSync } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, RUNS, interleaved, peakRssKiB, wall } from "./common.js";

const runs = Math.max(3, Math.min(RUNS, 7));
const dir = mkdtempSync(join(tmpdir(), "reftrail-bench-"));
const file = join(dir, "1GiB.bin");
const fd = openSync(file, "w");
const chunk = Buffer.alloc(16 << 20);
for (let i = 0; i < 64; i++) writeSync(fd, randomFillSync(chunk));
closeSync(fd);
try {
  const node = process.execPath;
  const artifact = (algorithms: string) => [node, CLI, "measure", "artifact", file, "--algorithms", algorithms];
  wall(["sh", "-c", `cat "$0" > /dev/null`, file]); // into the page cache
  const ours = wall(artifact("sha256")).stdout.split(" ")[0];
  const theirs = wall(["openssl", "dgst", "-sha256", "-r", file]).stdout.split(" ")[0];
  if (ours !== theirs) throw new Error(`digests differ: ${ours} vs ${theirs}`);
  const [openssl256, reftrail256] = interleaved([["openssl", "dgst", "-sha256", file], artifact("sha256")], runs);
  const [reftrail384, reftrail512, reftrailAll, openssl512] = interleaved(
    [artifact("sha384"), artifact("sha512"), artifact("sha256,sha384,sha512"), ["openssl", "dgst", "-sha512", file]],
    runs,
  );
  const slowest = Math.max(reftrail256!, reftrail384!, reftrail512!);
  const gib = 1; // the file is exactly 1 GiB
  const rss256 = peakRssKiB(artifact("sha256")) / 1024;
  const rssAll = peakRssKiB(artifact("sha256,sha384,sha512")) / 1024;
  const s = (x: number) => `${x.toFixed(2)} s`;
  const rate = (x: number) => `${(gib / x).toFixed(2)} GiB/s`;
  process.stdout.write(
    [
      `Hashing 1 GiB (page cache), Node ${process.version}, medians of ${runs} runs, ${new Date().toISOString().slice(0, 10)}`,
      "",
      "| measurement | reftrail | openssl dgst | ratio |",
      "|---|---|---|---|",
      `| SHA-256, whole process | ${s(reftrail256!)} (${rate(reftrail256!)}) | ${s(openssl256!)} (${rate(openssl256!)}) | ${((openssl256! / reftrail256!) * 100).toFixed(0)}% of openssl's throughput |`,
      `| SHA-384 alone | ${s(reftrail384!)} | | |`,
      `| SHA-512 alone | ${s(reftrail512!)} | ${s(openssl512!)} | ${((openssl512! / reftrail512!) * 100).toFixed(0)}% |`,
      `| SHA-256 + SHA-384 + SHA-512 in one read pass | ${s(reftrailAll!)} | | ${(reftrailAll! / slowest).toFixed(2)}x the slowest alone |`,
      `| peak RSS, SHA-256 / all three | ${rss256.toFixed(1)} MiB / ${rssAll.toFixed(1)} MiB | | |`,
      "",
    ].join("\n"),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
