import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AuditHistory } from "../../src/schema/audit-history.js";
import type { ReferenceValues } from "../../src/schema/reference-values.js";
import { copyFolder, endorseAmdsev, sleep } from "../helpers/amdsev-releases.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { serveLogProcess } from "../helpers/serve.js";
import type { EndorsedRelease } from "../helpers/release-endorsed.js";
import { tempDir } from "../helpers/tlog.js";

/**
 * `reftrail audit history` over two AmdSev releases endorsed and logged with the real CLI: the rows
 * expected are what the test endorsed (versions, subject digests, launch-digest configurations from
 * the measured reference values), the checkpoint the auditor stores is the log's size after each
 * release (one entry per component), and a copy of the log that grew another history is a fork.
 */
let home: string;
let log: string;
let forkLog: string;
let state: string;
let registry: string;
let first: CliResult;
const releases: Record<string, { values: ReferenceValues; path: string; endorsed: EndorsedRelease }> = {};

function history(args: readonly string[], stateDir = state): CliResult {
  return runCli(["audit", "history", "--key-registry", registry, "--state", stateDir, ...args]);
}
/** The JSON output, read with its own schema (schemas/audit-history.json): a drift between the two fails here. */
const parsed = (r: CliResult): AuditHistory => AuditHistory.parse(JSON.parse(r.stdout));
const component = (version: string, name: string) => releases[version]!.values.components.find((c) => c.name === name)!;
const stateFile = (dir: string) => join(dir, "auditor-state.json");
const checkpointSize = (dir: string) => (Object.values(JSON.parse(readFileSync(stateFile(dir), "utf8")).logs)[0] as { checkpoint: { size: number } }).checkpoint.size;

beforeAll(async () => {
  home = tempDir("audit-history");
  log = join(home, "log");
  state = join(home, "auditor");
  releases["2026.11.0"] = endorseAmdsev(home, "2026.11.0", "console=ttyS0 root=/dev/vda1 ro quiet");
  registry = releases["2026.11.0"].endorsed.registry;
  first = history(["--component", "cmdline", "--log", log, "--json"]);
  forkLog = copyFolder(log, join(home, "fork-log"));
  // Integration times are whole seconds: the second release is logged in a later one.
  await sleep(1100);
  releases["2026.12.0"] = endorseAmdsev(home, "2026.12.0", "console=ttyS0 root=/dev/vda1 rw quiet");
  // The fork: the same key and tree, grown with the second release endorsed again a second later (other statements, other leaves).
  await sleep(1100);
  const alt = join(home, "alt-endorsements");
  const e = runCli(["endorse", "release", "--reference-values", releases["2026.12.0"].path, "--key-dir", join(home, "keys"), "--out", alt]);
  if (e.status !== 0) throw new Error(e.stderr);
  const r = runCli(["publish", "release", "--endorsements", alt, "--log", forkLog]);
  if (r.status !== 0) throw new Error(r.stderr);
}, 300_000);

describe("audit history", () => {
  it("a first run verifies the log's checkpoint and stores it", () => {
    expect(first.status, first.stderr).toBe(0);
    const h = parsed(first);
    expect(h.entries.map((e) => e.release?.version)).toEqual(["2026.11.0"]);
    expect(h.log.stored).toBeUndefined();
    expect(h.log.advanced).toBe(true);
    // One log entry per component of the first release.
    expect(h.log.checkpoint?.size).toBe(releases["2026.11.0"]!.values.components.length);
  });

  it("lists both releases newest first, each verified, with what changed; a second consistent run advances the state", () => {
    expect(checkpointSize(state)).toBe(releases["2026.11.0"]!.values.components.length);
    const r = history(["--component", "cmdline", "--log", log, "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const h = parsed(r);
    expect(h.entries.map((e) => e.release?.version)).toEqual(["2026.12.0", "2026.11.0"]);
    expect(h.total).toBe(2);
    expect(h.entries.map((e) => e.subject?.digest["sha256"])).toEqual([component("2026.12.0", "cmdline").subject.digest.sha256, component("2026.11.0", "cmdline").subject.digest.sha256]);
    for (const e of h.entries) {
      expect(e.verified).toBe(true);
      expect(Object.fromEntries(e.checks.map((c) => [c.check, c.status]))).toEqual({
        STATEMENT_AVAILABLE: "passed",
        STATEMENT_SIGNATURE: "passed",
        STATEMENT: "passed",
        INCLUSION_PROOF: "passed",
        CHECKPOINT_CONSISTENCY: "passed",
        KEY_VALIDITY: "passed",
        LOG_TIME: "passed",
      });
    }
    // Endorsed a second later: the validity window moved too.
    expect(h.entries[0]!.changes).toEqual([expect.stringMatching(/^release .*2026\.11\.0 → .*2026\.12\.0$/), expect.stringMatching(/^subject sha256 /), expect.stringMatching(/^validity /), "values cmdline"]);
    expect(h.entries[1]!.changes).toEqual([]);
    const both = 2 * releases["2026.11.0"]!.values.components.length;
    expect(h.log.stored?.size).toBe(releases["2026.11.0"]!.values.components.length);
    expect(h.log.checkpoint?.size).toBe(both);
    expect(checkpointSize(state)).toBe(both);
  });

  it("firmware rows summarise the launch digests the release published", () => {
    const r = history(["--component", "ovmf-amdsev", "--log", log, "--json"], join(home, "state-firmware"));
    expect(r.status, r.stderr).toBe(0);
    const firmware = component("2026.12.0", "ovmf-amdsev");
    if (firmware.kind !== "firmware") throw new Error("not a firmware");
    const digests = firmware.launchDigests.reduce((n, c) => n + (c.mode === "sev" ? 1 : Object.keys(c.digests).length), 0);
    const e = parsed(r).entries[0]!;
    expect(e.launchDigests).toMatchObject({ configurations: firmware.launchDigests.length, digests });
    // Each configuration's digests are the ones its reference-values document lists.
    expect(e.launchDigests!.list.map((c) => c.byVcpus)).toEqual(firmware.launchDigests.map((c) => (c.mode === "sev" ? { any: c.digest } : c.digests)));
    // The same firmware image (subject and layout unchanged); its published digests boot the new command line.
    expect(e.changes).toEqual([expect.stringMatching(/^release /), expect.stringMatching(/^validity /), "values launchDigests"]);
  });

  it("the human table lists the entries newest first", () => {
    const r = history(["--component", "cmdline", "--log", log], join(home, "state-text"));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^index +integrated +release/);
    expect(r.stdout).toMatch(/\nVERIFIED history of cmdline .*: 2 entries, newest first\n/);
    expect(r.stdout.indexOf("2026.12.0")).toBeLessThan(r.stdout.indexOf("2026.11.0"));
  });

  it("--since keeps the entries integrated at or after it", () => {
    const all = parsed(history(["--component", "cmdline", "--log", log, "--json"], join(home, "state-since")));
    const r = history(["--component", "cmdline", "--log", log, "--json", "--since", all.entries[0]!.integratedTime], join(home, "state-since"));
    expect(r.status, r.stderr).toBe(0);
    expect(parsed(r).entries.map((e) => e.release?.version)).toEqual(["2026.12.0"]);
    expect(history(["--component", "cmdline", "--log", log, "--since", "yesterday"]).status).toBe(2);
  });

  it("an entry whose values match no reference-values document is flagged (exit 1)", () => {
    const documents = join(home, "reference-values");
    mkdirSync(documents, { recursive: true });
    writeFileSync(join(documents, "2026.11.0.json"), readFileSync(releases["2026.11.0"]!.path));
    const r = history(["--component", "cmdline", "--log", log, "--json", "--reference-values", documents], join(home, "state-rv"));
    expect(r.status).toBe(1);
    const h = parsed(r);
    expect(h.entries.map((e) => [e.release?.version, e.flagged !== undefined])).toEqual([["2026.12.0", true], ["2026.11.0", false]]);
    expect(h.entries[0]!.flagged).toMatch(/2026\.12\.0.*no reference-values document/);
    expect(h.failures).toEqual(["REFERENCE_VALUES"]);
    writeFileSync(join(documents, "2026.12.0.json"), readFileSync(releases["2026.12.0"]!.path));
    expect(history(["--component", "cmdline", "--log", log, "--reference-values", documents], join(home, "state-rv")).status).toBe(0);
  });

  it("a kept statement changed on disk is shown as failed, the other entries still verify", () => {
    const tampered = copyFolder(log, join(home, "tampered-log"));
    const all = parsed(history(["--component", "cmdline", "--log", log, "--json"], join(home, "state-t1")));
    const target = join(tampered, "statements", `${all.entries[0]!.statementSha256}.json`);
    writeFileSync(target, readFileSync(target, "utf8").replace("rw quiet", "ro quiet"));
    const r = history(["--component", "cmdline", "--log", tampered, "--json"], join(home, "state-t2"));
    expect(r.status).toBe(1);
    const h = parsed(r);
    expect(h.entries.map((e) => e.verified)).toEqual([false, true]);
    expect(h.entries[0]!.failures).toContain("STATEMENT_AVAILABLE");
    expect(h.failures).toEqual(["ENTRIES"]);
  });

  it("without the statements an entry says so; --endorsements supplies them", () => {
    const bare = copyFolder(log, join(home, "bare-log"));
    rmSync(join(bare, "statements"), { recursive: true });
    const r = history(["--component", "cmdline", "--log", bare, "--json"], join(home, "state-b1"));
    expect(r.status).toBe(1);
    const e = parsed(r).entries[0]!;
    expect(e.release).toBeUndefined();
    expect(e.checks.find((c) => c.check === "STATEMENT_AVAILABLE")?.status).toBe("failed");
    // The body's signature over the logged hash still verifies.
    expect(e.checks.find((c) => c.check === "STATEMENT_SIGNATURE")?.status).toBe("passed");
    const withFolders = history(["--component", "cmdline", "--log", bare, "--endorsements", join(home, "endorsements"), "--json"], join(home, "state-b2"));
    expect(withFolders.status, withFolders.stderr).toBe(0);
  });

  it("a forked log (same key, another history) is reported as FORK and not stored, across invocations", () => {
    const before = readFileSync(stateFile(state));
    const r = history(["--component", "cmdline", "--log", forkLog, "--json"]);
    expect(r.status).toBe(1);
    const h = parsed(r);
    expect(h.log.problem?.kind).toBe("FORK");
    expect(h.log.advanced).toBe(false);
    expect(h.failures).toContain("LOG_CHECKPOINT");
    // Entries are judged against no verified head: their consistency could not run.
    expect(h.entries.every((e) => e.checks.find((c) => c.check === "CHECKPOINT_CONSISTENCY")?.status === "not run")).toBe(true);
    expect(readFileSync(stateFile(state))).toEqual(before);
    expect(history(["--component", "cmdline", "--log", forkLog]).status).toBe(1);
    // The real log still extends the stored checkpoint.
    expect(history(["--component", "cmdline", "--log", log]).status).toBe(0);
  });

  it("over a Rekor v1 server (reftrail log serve): statements from --endorsements, else each entry says it has none", async () => {
    const served = await serveLogProcess(log);
    try {
      const args = ["--component", "cmdline", "--rekor-url", served.url, "--rekor-key", join(log, "log-public-key.pem"), "--json"];
      const r = history([...args, "--endorsements", join(home, "endorsements")], join(home, "state-remote"));
      expect(r.status, r.stderr).toBe(0);
      expect(parsed(r).entries.map((e) => e.release?.version)).toEqual(["2026.12.0", "2026.11.0"]);
      const bare = history(args, join(home, "state-remote"));
      expect(bare.status).toBe(1);
      expect(parsed(bare).entries.map((e) => e.checks.find((c) => c.check === "STATEMENT_AVAILABLE")?.status)).toEqual(["failed", "failed"]);
    } finally {
      await served.stop();
    }
  });

  it("usage and input errors exit 2 with one line", () => {
    const missing = history(["--log", log]);
    expect(missing.status).toBe(2);
    const unknown = history(["--component", "nope", "--log", log]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    const badState = join(home, "bad-state");
    mkdirSync(badState, { recursive: true });
    writeFileSync(stateFile(badState), '{"version":2,"logs":{}}');
    const bad = history(["--component", "cmdline", "--log", log], badState);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/auditor-state\.json/);
    expect(existsSync(join(home, "no-log"))).toBe(false);
    expect(history(["--component", "cmdline", "--log", join(home, "no-log")]).status).toBe(2);
  });
});
