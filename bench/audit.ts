/**
 * The auditor at scale, each run a fresh process timed and measured by GNU time (`%e %M`):
 * - `audit history` of one component with 100,000 entries in an embedded log (every entry its own
 *   release's statement, signed RFC 6979 and kept beside the log as `publish release` keeps it), from
 *   no auditor state and from the state the previous run stored; output to /dev/null.
 * - `audit find` over 100 releases of the AmdSev example (examples/release-manifest-amdsev.json: the
 *   real firmware, kernel and initrd; each release its own command line), for the MEASUREMENT of the
 *   oldest release (the search goes newest first: every release is searched), for a digest no
 *   release produces, and for a 32-byte SEV/SEV-ES digest none produces (recomputed from each
 *   firmware's recorded SHA-256 state). The expected digest is computed by `reftrail measure launch-digest`.
 * The logs are built once through the embedded log's batched submit (no HTTP) and kept in .bench/.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashedRekordFor } from "../src/endorse/publish.js";
import { signStatement } from "../src/endorse/sign.js";
import { signableStatement } from "../src/endorse/statement.js";
import { keyIdOf, publicKeyPem } from "../src/keys/component-keys.js";
import { parseDocument } from "../src/schema/parse.js";
import { ReferenceValues } from "../src/schema/reference-values.js";
import { EmbeddedLog, initLog } from "../src/tlog/embedded/log.js";
import { statementsDir } from "../src/tlog/embedded/statements.js";
import { canonicalizeEntry } from "../src/tlog/kinds/entries.js";
import { CLI, ROOT, median } from "./common.js";

const N = Number(process.env["BENCH_AUDIT_ENTRIES"] ?? 100_000);
const RELEASES = Number(process.env["BENCH_AUDIT_RELEASES"] ?? 100);
const RUNS = Number(process.env["BENCH_RUNS"] ?? 3);
const DAY_NS = 86_400n * 1_000_000_000n;
const base = join(ROOT, ".bench");
const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

type Keys = Map<string, { privateKey: import("node:crypto").KeyObject; publicKey: import("node:crypto").KeyObject }>;

function registryOf(keys: Keys): string {
  return JSON.stringify({ version: 1, components: Object.fromEntries([...keys].map(([c, k]) => [c, [{ keyId: keyIdOf(k.publicKey), publicKey: publicKeyPem(k.publicKey), validFor: { start: "2020-01-01T00:00:00Z" } }]])) });
}

/** Signs each component of each document with its key, logs them in batches, keeps the statements. */
async function logReleases(dir: string, documents: Iterable<ReferenceValues>, keys: Keys, total: number): Promise<void> {
  initLog(join(dir, "log"), "audit.bench.local");
  const log = EmbeddedLog.open(join(dir, "log"));
  mkdirSync(statementsDir(join(dir, "log")), { recursive: true });
  const now = BigInt(Date.now()) * 1_000_000n;
  const times = { issuedOn: now - DAY_NS, notBefore: now - DAY_NS, notAfter: now + 365n * DAY_NS };
  let pending: Promise<unknown>[] = [];
  let done = 0;
  for (const values of documents) {
    for (const c of values.components) {
      const key = keys.get(c.name)!;
      const { bytes } = signableStatement(values.release, c, times);
      // As `publish release` keeps it (statements/<sha256>.json), without its per-file fsync: 100,000 fsyncs would take a quarter of an hour.
      writeFileSync(join(dir, "log", "statements", `${sha256(bytes)}.json`), bytes);
      pending.push(log.submit(canonicalizeEntry(hashedRekordFor({ statement: bytes, signature: signStatement(bytes, key.privateKey, key.publicKey), publicKeyPem: publicKeyPem(key.publicKey) }))));
      if (pending.length === 5_000) {
        await Promise.all(pending);
        done += pending.length;
        pending = [];
        process.stderr.write(`\rbuilding ${dir}: ${done} / ${total}`);
      }
    }
  }
  await Promise.all(pending);
  process.stderr.write(`\rbuilding ${dir}: ${log.current().size} / ${total}\n`);
  log.close();
  writeFileSync(join(dir, "registry.json"), registryOf(keys));
}

/** One component, N releases: an artifact whose digest follows the version. */
function* historyReleases(): Generator<ReferenceValues> {
  for (let i = 0; i < N; i++) {
    const version = `1.${i}`;
    yield { version: 1, release: { name: "bench-app", version }, generator: "bench", components: [{ kind: "artifact", name: "app", version, claims: [], subject: { name: "app.bin", digest: { sha256: sha256(`app ${version}`) } }, size: 4096 }] };
  }
}

const cmdlineOf = (i: number) => `console=ttyS0 root=/dev/vda1 ro quiet release=${i}`;

/** The example measured once; each release the same firmware, kernel and initrd with its own command line. */
function findReleases(values: ReferenceValues): ReferenceValues[] {
  return Array.from({ length: RELEASES }, (_, i) => {
    const version = `2027.${i}.0`;
    const cmdline = cmdlineOf(i);
    const withNul = sha256(`${cmdline}\0`);
    const components = values.components.map((c) => {
      if (c.kind === "cmdline") return { ...c, version, subject: { name: c.subject.name, digest: { sha256: sha256(cmdline) } }, cmdline: { value: cmdline, sha256: sha256(cmdline), sha256WithNul: withNul } };
      if (c.kind === "kernel") return { ...c, qemuKernelHashes: { ...c.qemuKernelHashes, cmdline: withNul } };
      return c.kind === "initrd" ? { ...c, version } : c;
    });
    return { ...values, release: { ...values.release, version }, components };
  });
}

async function build(): Promise<{ history: string; find: string; example: ReferenceValues }> {
  const history = join(base, `audit-history-${N}`);
  const find = join(base, `audit-find-${RELEASES}`);
  if (!existsSync(join(history, "registry.json"))) {
    rmSync(history, { recursive: true, force: true });
    mkdirSync(history, { recursive: true });
    await logReleases(history, historyReleases(), new Map([["app", generateKeyPairSync("ec", { namedCurve: "P-256" })]]), N);
  }
  const examplePath = join(find, "example-values.json");
  // The example measured now: a log built from older reference values (another format, another
  // engine) is stale and rebuilt, so a figure is never of values this code would not write.
  const manifest = JSON.parse(readFileSync(join(ROOT, "examples/release-manifest-amdsev.json"), "utf8"));
  for (const c of manifest.components) if (typeof c.path === "string") c.path = join(ROOT, "examples", c.path);
  mkdirSync(base, { recursive: true });
  const freshPath = join(base, "audit-find-example.json");
  writeFileSync(join(base, "audit-find-manifest.json"), JSON.stringify(manifest));
  const r = spawnSync(process.execPath, [CLI, "measure", "release", "--manifest", join(base, "audit-find-manifest.json"), "--out", freshPath], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  const fresh = readFileSync(freshPath, "utf8");
  if (!existsSync(join(find, "registry.json")) || !existsSync(join(find, "manifest.json")) || !existsSync(examplePath) || readFileSync(examplePath, "utf8") !== fresh) {
    rmSync(find, { recursive: true, force: true });
    mkdirSync(find, { recursive: true });
    writeFileSync(examplePath, fresh);
    writeFileSync(join(find, "manifest.json"), JSON.stringify(manifest));
    const example = parseDocument(ReferenceValues, fresh, examplePath);
    const keys: Keys = new Map(example.components.map((c) => [c.name, generateKeyPairSync("ec", { namedCurve: "P-256" })]));
    await logReleases(find, findReleases(example), keys, RELEASES * example.components.length);
  }
  return { history, find, example: parseDocument(ReferenceValues, readFileSync(examplePath, "utf8"), examplePath) };
}

/** A fresh process under GNU time: wall seconds and peak RSS (KiB), stdout discarded. */
function timed(args: readonly string[], expectedStatus: number): { seconds: number; rssKiB: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", "--", process.execPath, CLI, ...args], { encoding: "utf8", cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== expectedStatus) throw new Error(`reftrail ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  const [seconds, rss] = r.stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
  return { seconds: seconds!, rssKiB: rss! };
}

function row(label: string, runs: { seconds: number; rssKiB: number }[]): string {
  return `| ${label} | ${median(runs.map((r) => r.seconds)).toFixed(2)} s | ${(median(runs.map((r) => r.rssKiB)) / 1024).toFixed(0)} MiB |`;
}

const { history, find, example } = await build();
const historyArgs = (state: string, json: boolean) => ["audit", "history", "--component", "app", "--log", join(history, "log"), "--key-registry", join(history, "registry.json"), "--state", state, ...(json ? ["--json"] : [])];
const runs: Record<string, { seconds: number; rssKiB: number }[]> = { fresh: [], stored: [], json: [], found: [], missing: [], sevMissing: [] };
const firmware = example.components.find((c) => c.kind === "firmware")!;
const kernel = example.components.find((c) => c.kind === "kernel")!;
const pathOf = (name: string) => {
  const manifest = JSON.parse(readFileSync(join(find, "manifest.json"), "utf8")) as { components: { name: string; path?: string }[] };
  return manifest.components.find((c) => c.name === name)!.path!;
};
const oldest = spawnSync(process.execPath, [CLI, "measure", "launch-digest", "--mode", "snp", "--ovmf", pathOf(firmware.name), "--vcpus", "8", "--vcpu-type", "EPYC-Milan", "--vmm-type", "QEMU", "--guest-features", "0x1", "--kernel", pathOf(kernel.name), "--initrd", pathOf("initrd"), "--append", cmdlineOf(0)], { encoding: "utf8" });
if (oldest.status !== 0) throw new Error(oldest.stderr);
const measurement = oldest.stdout.trim().split(/\s+/).at(-1)!;
const findArgs = (m: string) => ["audit", "find", "--measurement", m, "--log", join(find, "log"), "--key-registry", join(find, "registry.json")];
// The SEV row measures recomputation only if every boot could be recomputed (the values record the firmware's SHA-256 state).
const sevAnswer = JSON.parse(spawnSync(process.execPath, [CLI, ...findArgs("ab".repeat(32)), "--json"], { encoding: "utf8" }).stdout) as { searched: { unmeasurable: string[] } };
if (sevAnswer.searched.unmeasurable.length > 0) throw new Error(`audit find could not recompute every SEV boot, so its row would not measure recomputation: ${sevAnswer.searched.unmeasurable[0]}`);
for (let i = 0; i < RUNS; i++) {
  const state = join(base, `audit-state-${i}`);
  rmSync(state, { recursive: true, force: true });
  runs.fresh!.push(timed(historyArgs(state, false), 0));
  runs.stored!.push(timed(historyArgs(state, false), 0));
  runs.json!.push(timed(historyArgs(state, true), 0));
  rmSync(state, { recursive: true, force: true });
  runs.found!.push(timed(findArgs(measurement), 0));
  runs.missing!.push(timed(findArgs("ab".repeat(48)), 1));
  runs.sevMissing!.push(timed(findArgs("ab".repeat(32)), 1));
}
process.stdout.write(
  [
    `Auditor, Node ${process.version}, median of ${RUNS} fresh processes (GNU time: wall, peak RSS), ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| run | time | peak RSS |",
    "|---|---|---|",
    row(`audit history, ${N.toLocaleString("en")} entries of one component, no auditor state, table`, runs.fresh!),
    row("audit history, same, from the stored state, table", runs.stored!),
    row("audit history, same, --json (streamed)", runs.json!),
    row(`audit find, ${RELEASES} releases, MEASUREMENT of the oldest (every release searched)`, runs.found!),
    row(`audit find, ${RELEASES} releases, a digest none produces (exit 1)`, runs.missing!),
    row(`audit find, ${RELEASES} releases, an SEV/SEV-ES digest none produces (exit 1: SEV and SEV-ES recomputed for every boot)`, runs.sevMissing!),
    "",
  ].join("\n"),
);
