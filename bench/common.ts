import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CLI = join(ROOT, "dist/cli/main.js");
export const RUNS = Number(process.env["BENCH_RUNS"] ?? 21);

/** Wall time of one process: hrtime around the spawn, the same overhead for every tool compared. */
export function wall(argv: readonly string[], options: { cwd?: string } = {}): { seconds: number; stdout: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", maxBuffer: 256 << 20, cwd: options.cwd ?? ROOT });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`${argv.join(" ")} failed: ${result.stderr}`);
  return { seconds, stdout: result.stdout };
}

/** Peak RSS of one process in KiB, from GNU time. */
export function peakRssKiB(argv: readonly string[]): number {
  const result = spawnSync("/usr/bin/time", ["-f", "%M", "--", ...argv], { encoding: "utf8", maxBuffer: 256 << 20, cwd: ROOT });
  if (result.status !== 0) throw new Error(`${argv.join(" ")} failed: ${result.stderr}`);
  return Number(result.stderr.trim().split("\n").at(-1));
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;

/** Runs each command `runs` times, interleaved so that machine load affects all alike; returns medians. */
export function interleaved(commands: readonly (readonly string[])[], runs: number): number[] {
  const times = commands.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) commands.forEach((c, j) => times[j]!.push(wall(c).seconds));
  return times.map(median);
}

/**
 * `openssl speed -seconds 3 <ecdsap256|ecdsap384|rsa4096>`: verifications per second on this machine
 * (the floor of signature work; rsa4096 is OpenSSL's PKCS#1 v1.5 verify, whose cost is the same
 * public-key operation as a PSS verify).
 */
export function opensslVerifiesPerSecond(algorithm: "ecdsap256" | "ecdsap384" | "rsa4096"): { perSecond: number; version: string } | undefined {
  const result = spawnSync("openssl", ["speed", "-seconds", "3", algorithm], { encoding: "utf8" });
  if (result.status !== 0) return undefined;
  const bits = algorithm === "ecdsap256" ? "256" : algorithm === "ecdsap384" ? "384" : "4096";
  const label = algorithm === "rsa4096" ? "rsa 4096 bits" : `${bits} bits ecdsa \\(nistp${bits}\\)`;
  const m = new RegExp(`${label}\\s+\\S+s\\s+\\S+s\\s+[\\d.]+\\s+([\\d.]+)`).exec(result.stdout);
  const version = spawnSync("openssl", ["version"], { encoding: "utf8" }).stdout.trim().split(" ").slice(0, 2).join(" ");
  return m ? { perSecond: Number(m[1]), version } : undefined;
}
