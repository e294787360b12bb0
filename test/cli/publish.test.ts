import { spawn } from "node:child_process";
import { createHash, createPublicKey } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { endorseComponent } from "../../src/endorse/endorse.js";
import { generateComponentKey } from "../../src/keys/component-keys.js";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { EmbeddedLog, initLog, logPaths } from "../../src/tlog/embedded/log.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { ROOT } from "../helpers/fixtures.js";
import { serveLogProcess, type ServedLog } from "../helpers/serve.js";
import { scratchSpace } from "../helpers/tlog.js";
import { faultyFront, type FrontAction } from "../helpers/faulty-front.js";

const values = ReferenceValues.parse(JSON.parse(readFileSync(join(ROOT, "reference-values/2026.11.0.json"), "utf8")));
const NS = 1_000_000_000n;
const issuedOn = (BigInt(Date.now()) / 1000n - 60n) * NS;
const times = { issuedOn, notBefore: issuedOn, notAfter: issuedOn + 365n * 86_400n * NS };
// Published in this (sorted) order.
const COMPONENTS = ["linux-cloud", "ovmf"];

const { cleanup, scratch } = scratchSpace();

/** `reftrail endorse release --out` as a library call: one signed folder per component, each with its own key. */
function endorsements(components: readonly string[] = COMPONENTS): string {
  const out = scratch("cli-publish-endorsements");
  for (const name of components) endorseComponent(out, values.release, values.components.find((c) => c.name === name)!, generateComponentKey(), times);
  return out;
}

const logged = (out: string, component: string) => existsSync(join(out, component, "logentry.json"));

interface Published {
  log: string;
  logId: string;
  published: { component: string; status: string; entryId: string; logIndex: number }[];
}

/** The CLI as a child process, without blocking this process (which may be serving the log it talks to). */
function runCliAsync(args: readonly string[]): Promise<CliResult & { ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "dist/cli/main.js"), ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // A hung CLI fails its test rather than outliving it.
  const guard = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.once("close", (status) => {
      clearTimeout(guard);
      resolve({ status, stdout, stderr, ms: performance.now() - started });
    }),
  );
}

async function treeSize(url: string): Promise<number> {
  return ((await (await fetch(`${url}/api/v1/log`)).json()) as { treeSize: number }).treeSize;
}

describe("reftrail publish release --rekor-url against `reftrail log serve`", () => {
  const logDir = scratch("cli-publish-log");
  initLog(logDir, "cli-publish.test.example");
  const keyFile = logPaths(logDir).publicKey;
  const logId = createHash("sha256").update(createPublicKey(readFileSync(keyFile)).export({ type: "spki", format: "der" })).digest("hex");
  let served: ServedLog;
  beforeAll(async () => {
    served = await serveLogProcess(logDir);
    cleanup.push(() => served.stop());
  });
  const out = endorsements();

  it("logs every component, pinning the server's key, and reports it as JSON", async () => {
    const result = runCli(["publish", "release", "--endorsements", out, "--rekor-url", served.url, "--rekor-key", keyFile, "--json"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as Published;
    expect(report.log).toBe(served.url);
    expect(report.logId).toBe(logId);
    expect(report.published.map((p) => [p.component, p.status])).toEqual(COMPONENTS.map((c) => [c, "logged"]));
    expect(report.published.map((p) => p.logIndex).sort()).toEqual([0, 1]);
    for (const p of report.published) {
      const entry = JSON.parse(readFileSync(join(out, p.component, "logentry.json"), "utf8")) as Record<string, unknown>;
      expect(Object.keys(entry)).toEqual([p.entryId]);
      expect(p.entryId).toMatch(/^[0-9a-f]{80}$/);
      expect(existsSync(join(out, p.component, "endorsement.sigstore.json"))).toBe(true);
    }
    expect(await treeSize(served.url)).toBe(2);
  });

  it("a second run reports every component unchanged and logs nothing", async () => {
    const before = COMPONENTS.map((c) => readFileSync(join(out, c, "logentry.json"), "utf8"));
    const result = runCli(["publish", "release", "--endorsements", out, "--rekor-url", served.url, "--rekor-key", keyFile, "--json"]);
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as Published).published.map((p) => [p.component, p.status])).toEqual(COMPONENTS.map((c) => [c, "unchanged"]));
    expect(COMPONENTS.map((c) => readFileSync(join(out, c, "logentry.json"), "utf8"))).toEqual(before);
    expect(await treeSize(served.url)).toBe(2);
    // The text form says the same.
    const text = runCli(["publish", "release", "--endorsements", out, "--rekor-url", served.url, "--rekor-key", keyFile]);
    expect(text.status).toBe(0);
    expect(text.stdout.split("\n")[0]).toBe(`${served.url}: 0 logged, 0 already in the log, 2 unchanged`);
  });

  it("without --rekor-key trusts the key the server serves, with one warning on stderr", async () => {
    const fresh = endorsements(["ovmf"]);
    const result = runCli(["publish", "release", "--endorsements", fresh, "--rekor-url", served.url, "--json"]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe(`reftrail: warning: trusting the public key ${served.url} serves; pass --rekor-key to pin it\n`);
    expect((JSON.parse(result.stdout) as Published).published.map((p) => p.status)).toEqual(["logged"]);
    expect(logged(fresh, "ovmf")).toBe(true);
    expect(await treeSize(served.url)).toBe(3);
  });

  it("refuses a server whose answers do not verify with the pinned key, naming the component and writing nothing", () => {
    const otherDir = scratch("cli-publish-other-log");
    initLog(otherDir);
    const fresh = endorsements();
    const result = runCli(["publish", "release", "--endorsements", fresh, "--rekor-url", served.url, "--rekor-key", logPaths(otherDir).publicKey]);
    expectRejected(result, `component ${COMPONENTS[0]}`, "does not verify");
    for (const c of COMPONENTS) expect(logged(fresh, c)).toBe(false);
  });

  it("--rekor-name pins the name checkpoints must be signed under", () => {
    const fresh = endorsements(["ovmf"]);
    const wrong = runCli(["publish", "release", "--endorsements", fresh, "--rekor-url", served.url, "--rekor-key", keyFile, "--rekor-name", "rekor.sigstore.dev"]);
    expectRejected(wrong, "component ovmf", "CHECKPOINT_SIGNATURE");
    expect(logged(fresh, "ovmf")).toBe(false);
    const right = runCli(["publish", "release", "--endorsements", fresh, "--rekor-url", served.url, "--rekor-key", keyFile, "--rekor-name", "cli-publish.test.example"]);
    expect(right.status).toBe(0);
    expect(logged(fresh, "ovmf")).toBe(true);
  });

  it("refuses --rekor-key or --rekor-name without --rekor-url, and a --rekor-url that is not http(s)", () => {
    expectRejected(runCli(["publish", "release", "--endorsements", out, "--rekor-key", keyFile]), "go with --rekor-url");
    expectRejected(runCli(["publish", "release", "--endorsements", out, "--rekor-name", "x.example"]), "go with --rekor-url");
    expectRejected(runCli(["publish", "release", "--endorsements", out, "--rekor-url", "file:///etc/passwd", "--rekor-key", keyFile]), "--rekor-url");
  });
});

/** A faulty HTTP front of a fresh in-process embedded log, closed after the test file. */
async function front(plan: (n: number) => FrontAction): Promise<{ url: string; keyFile: string; requests: string[]; log: EmbeddedLog }> {
  const dir = scratch("cli-publish-front-log");
  initLog(dir, "front.test.example");
  const log = EmbeddedLog.open(dir);
  const f = await faultyFront(log, plan);
  cleanup.push(async () => {
    await f.close();
    log.close();
  });
  return { url: f.url, keyFile: logPaths(dir).publicKey, requests: f.requests, log };
}

const POST = "POST /api/v1/log/entries";

describe("reftrail publish release against a faulty server", () => {
  it("retries 503s with back-off and succeeds", async () => {
    const f = await front((n) => (n <= 2 ? 503 : "forward"));
    const out = endorsements(["ovmf"]);
    const result = await runCliAsync(["publish", "release", "--endorsements", out, "--rekor-url", f.url, "--rekor-key", f.keyFile, "--retries", "2", "--json"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as Published).published.map((p) => p.status)).toEqual(["logged"]);
    expect(f.requests).toEqual([POST, POST, POST]);
    // Default back-off: 250 ms, then 500 ms.
    expect(result.ms).toBeGreaterThanOrEqual(750);
    expect(f.log.info().treeSize).toBe(1);
    expect(logged(out, "ovmf")).toBe(true);
  });

  it("gives up on a server that never answers after --timeout and --retries: exit 2, one line naming the component, nothing written", async () => {
    const f = await front(() => "hang");
    const out = endorsements();
    const result = await runCliAsync(["publish", "release", "--endorsements", out, "--rekor-url", f.url, "--rekor-key", f.keyFile, "--timeout", "1", "--retries", "1"]);
    expectRejected(result, `component ${COMPONENTS[0]}`, "no answer within 1000 ms", "2 attempt(s)");
    expect(f.requests).toEqual([POST, POST]);
    // Two attempts of 1 s and a 250 ms back-off; not the default 30 s timeout.
    expect(result.ms).toBeGreaterThanOrEqual(2_000);
    expect(result.ms).toBeLessThan(15_000);
    for (const c of COMPONENTS) expect(logged(out, c)).toBe(false);
  });

  it("does not retry a 400: exit 2 after a single request", async () => {
    const f = await front(() => 400);
    const out = endorsements(["ovmf"]);
    const result = await runCliAsync(["publish", "release", "--endorsements", out, "--rekor-url", f.url, "--rekor-key", f.keyFile, "--retries", "3"]);
    expectRejected(result, "component ovmf", "answered 400: injected 400");
    expect(f.requests).toEqual([POST]);
    expect(logged(out, "ovmf")).toBe(false);
  });
});
