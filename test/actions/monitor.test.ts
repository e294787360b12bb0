import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseMonitorState } from "../../src/audit/monitor/state.js";
import type { MonitorState } from "../../src/schema/monitor-state.js";
import { RekorClient } from "../../src/tlog/client.js";
import { EmbeddedLog, initLog } from "../../src/tlog/embedded/log.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { keepStatement } from "../../src/tlog/embedded/statements.js";
import { actionYml, runAction, type ActionRun } from "../helpers/action-runner.js";
import { startGitHubApi, type GitHubApiServer } from "../helpers/github-api/server.js";
import type { Repository } from "../helpers/github-api/state.js";
import { project, type LoggedStatement, type Project } from "../helpers/monitor.js";
import { serveLogProcess } from "../helpers/serve.js";
import { scratchSpace } from "../helpers/tlog.js";
import { MONITOR_DEFAULTS } from "../../actions/src/monitor/inputs.js";

/**
 * actions/monitor, its committed bundle run as the runner runs it, against the local GitHub REST
 * server and an embedded log (a folder, and `reftrail log serve` through rekor-url). Releases are made
 * as the endorse Action leaves them: statements signed with each component's key and logged, attached
 * as `<component>.endorsement.json` release assets, reference values committed to reference-values/.
 * A rogue entry is a statement signed with a component key and logged, attached to no release.
 */

const TOKEN = "ghs_monitor_test_token";
const OWNER = "acme";
const REPO = "firmware";
const COMPONENTS = ["ovmf", "kernel"];
const STATE = "reftrail-monitor/state.json";

const { cleanup, scratch } = scratchSpace();
let server: GitHubApiServer;
let repository: Repository;
let workspace: string;
let logDir: string;
let acme: Project;

async function withLog<T>(dir: string, fn: (client: RekorClient) => Promise<T>): Promise<T> {
  const log = EmbeddedLog.open(dir);
  try {
    return await fn(new RekorClient(inProcessTransport(log)));
  } finally {
    log.close();
  }
}

function commitFile(path: string, content: Buffer): void {
  const head = repository.refs.get("refs/heads/main")!;
  repository.refs.set("refs/heads/main", repository.commit(head, `add ${path}`, { [path]: content }).sha);
}

/** A release as the endorse Action leaves it: logged, its statements attached, its reference values committed. */
async function release(version: string, dir = logDir): Promise<LoggedStatement[]> {
  const values = acme.values(version);
  const logged = await withLog(dir, (client) => acme.log(client, values));
  const r = repository.addRelease({ tagName: version });
  for (const l of logged) repository.addAsset(r, { name: `${l.component}.endorsement.json`, data: Buffer.from(l.statement), contentType: "application/json" });
  repository.addAsset(r, { name: "OVMF.fd", data: Buffer.from("firmware") });
  commitFile(`reference-values/${version}.json`, Buffer.from(JSON.stringify(values, null, 2)));
  return logged;
}

/** What a leaked key makes: a statement for one component, logged, in no release. */
async function rogue(version: string, dir = logDir): Promise<LoggedStatement> {
  const values = acme.values(version);
  const [logged] = await withLog(dir, (client) => acme.log(client, { ...values, components: [values.components[0]!] }));
  return logged!;
}

function monitor(inputs: Record<string, string> = {}, killWhen?: () => boolean): Promise<ActionRun> {
  return runAction("monitor", { inputs: { "key-registry": "registry.json", log: logDir, ...inputs }, workspace, repository: `${OWNER}/${REPO}`, apiUrl: server.api, token: TOKEN, ...(killWhen ? { killWhen } : {}) });
}

const monitorIssues = () => repository.issues.filter((i) => i.labels.includes("reftrail-monitor"));
const branchState = (): MonitorState | undefined => {
  const bytes = repository.fileAt(STATE, "reftrail-monitor");
  return bytes === undefined ? undefined : parseMonitorState(bytes.toString("utf8"), STATE);
};
const statementDownloads = () => server.requests.filter((r) => r.method === "GET" && /\/releases\/assets\/\d+$/.test(r.path)).length;

function expectClean(run: ActionRun): void {
  expect(run.errors).toEqual([]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
}

beforeEach(async () => {
  server = await startGitHubApi({ token: TOKEN });
  repository = server.state.addRepository({ owner: OWNER, name: REPO, defaultBranch: "main", files: { "README.md": "firmware\n" } });
  acme = project(COMPONENTS, "acme-firmware");
  workspace = scratch("workspace-");
  writeFileSync(join(workspace, "registry.json"), acme.registryText());
  logDir = join(scratch("log-"), "log");
  initLog(logDir, "monitor.test.example");
});

afterEach(async () => {
  expect(server.internalErrors).toEqual([]);
  await server.close();
  for (const fn of cleanup.splice(0)) await fn();
});

describe("actions/monitor", () => {
  it("with a log folder, the statements the log keeps count as released, their values still checked", async () => {
    const values = acme.values("2.0");
    const logged = await withLog(logDir, (client) => acme.log(client, values));
    for (const l of logged) keepStatement(logDir, l.statement);
    commitFile("reference-values/2.0.json", Buffer.from(JSON.stringify(values)));
    const bad = await rogue("6.6.6");
    keepStatement(logDir, bad.statement);
    const run = await monitor();
    expectClean(run);
    expect(run.outputs).toEqual({ problems: "1", entries: "3", "tree-size": "3" });
    expect(monitorIssues()).toHaveLength(1);
    expect(monitorIssues()[0]!.body).toContain("release `6.6.6`, which has no reference-values document");
    expect(run.summary).toContain("3 kept by the log");
  });

  it("action.yml's defaults are the ones the code falls back to", () => {
    const yml = actionYml("monitor");
    for (const [name, value] of Object.entries(MONITOR_DEFAULTS)) expect(yml.inputs[name]?.default).toBe(value);
    expect(yml.runs).toEqual({ using: "node24", main: "dist/index.js" });
  });

  it("a clean log: no issue; state on a new branch; a second run checks nothing again and downloads no statement again", async () => {
    const logged = [...(await release("1.0")), ...(await release("1.1"))];
    const run = await monitor();
    expectClean(run);
    expect(run.outputs).toEqual({ problems: "0", entries: "4", "tree-size": "4" });
    expect(monitorIssues()).toEqual([]);
    const state = branchState()!;
    const entries = Object.values(state.logs)[0]!.entries;
    expect(Object.keys(entries).sort()).toEqual(logged.map((l) => l.entryId).sort());
    expect(Object.values(entries).every((e) => e.outcome === "released")).toBe(true);
    expect(Object.keys(state.statementAssets)).toHaveLength(4);
    expect(run.summary).toContain("tree size <strong>4</strong>");
    expect(run.summary).toContain("No new problem");
    expect(statementDownloads()).toBe(4);

    await release("1.2");
    const again = await monitor();
    expectClean(again);
    expect(again.outputs).toEqual({ problems: "0", entries: "2", "tree-size": "6" });
    // Only 1.2's two statements are new assets.
    expect(statementDownloads()).toBe(6);
    expect(monitorIssues()).toEqual([]);
  });

  it("a rogue entry opens exactly one issue; the next run opens none", async () => {
    await release("1.0");
    const bad = await rogue("6.6.6");
    const run = await monitor();
    expectClean(run);
    expect(run.outputs["problems"]).toBe("1");
    expect(monitorIssues()).toHaveLength(1);
    const issue = monitorIssues()[0]!;
    expect(issue.title).toContain("ovmf");
    expect(issue.body).toContain(bad.sha256);
    expect(issue.body).toContain(bad.entryId);
    expect(run.summary).toContain(`#${issue.number}`);
    expect(Object.values(branchState()!.logs)[0]!.entries[bad.entryId]?.outcome).toBe("unreleased");

    const again = await monitor();
    expectClean(again);
    expect(again.outputs).toEqual({ problems: "0", entries: "0", "tree-size": "3" });
    expect(monitorIssues()).toHaveLength(1);
  });

  it("an issue already open or closed for a problem is not opened again, even when the state is lost", async () => {
    await rogue("6.6.6");
    expectClean(await monitor({ "state-file": "state.json" }));
    expect(monitorIssues()).toHaveLength(1);
    monitorIssues()[0]!.state = "closed";
    // A fresh state: the entry is new again, its problem found again, and its issue found by the fingerprint in its body.
    const run = await monitor({ "state-file": "fresh-state.json" });
    expectClean(run);
    expect(run.outputs["problems"]).toBe("1");
    expect(monitorIssues()).toHaveLength(1);
    expect(run.summary).toContain("reported before");
  });

  it("fail-on-problem fails the step after opening the issue and storing the state", async () => {
    await rogue("6.6.6");
    const run = await monitor({ "fail-on-problem": "true" });
    expect(run.code).toBe(1);
    expect(run.errors.join("\n")).toContain("1 new problem reported");
    expect(monitorIssues()).toHaveLength(1);
    expect(branchState()!.reported).toHaveLength(1);
  });

  it("a run whose issue could not be opened does not advance the state; the re-run reports it once", async () => {
    await release("1.0");
    await rogue("6.6.6");
    expectClean(await monitor());
    const before = repository.fileAt(STATE, "reftrail-monitor")!;
    const second = await rogue("6.6.7");
    await release("1.1");
    server.faults.add({ method: "POST", path: /\/issues$/, status: 502 });
    const failed = await monitor();
    expect(failed.code).toBe(1);
    expect(failed.errors.join("\n")).toMatch(/opening the issue .* failed \(HTTP 502\)/);
    expect(server.faults.pending).toBe(0);
    expect(repository.fileAt(STATE, "reftrail-monitor")).toEqual(before);
    expect(monitorIssues()).toHaveLength(1);

    const rerun = await monitor();
    expectClean(rerun);
    expect(rerun.outputs).toEqual({ problems: "1", entries: "3", "tree-size": "6" });
    expect(monitorIssues()).toHaveLength(2);
    expect(monitorIssues()[1]!.body).toContain(second.entryId);
    expect(Object.values(branchState()!.logs)[0]!.checkpoint?.size).toBe(6);
  });

  it("a runner lost after the issue was opened and before the state was stored: the re-run opens no second issue", async () => {
    const bad = await rogue("6.6.6");
    // The state write is slow, so the runner dies between the two.
    server.faults.add({ method: "PUT", path: /\/contents\//, delayMs: 3000 });
    const lost = await monitor({}, () => monitorIssues().length > 0);
    expect(lost.signal).toBe("SIGKILL");
    expect(monitorIssues()).toHaveLength(1);
    const rerun = await monitor();
    expectClean(rerun);
    expect(rerun.outputs["problems"]).toBe("1");
    expect(rerun.summary).toContain("reported before");
    expect(monitorIssues()).toHaveLength(1);
    expect(Object.values(branchState()!.logs)[0]!.entries[bad.entryId]?.outcome).toBe("unreleased");
    expect((await monitor()).outputs["problems"]).toBe("0");
  });

  it("inputs that cannot be used fail the step in one line naming them, before anything is opened", async () => {
    await rogue("6.6.6");
    const missingLog = await monitor({ log: "no-such-log" });
    expect(missingLog.code).toBe(1);
    expect(missingLog.errors.join("\n")).toContain("input 'log'");
    writeFileSync(join(workspace, "bad-registry.json"), '{"version": 1, "components": {"ovmf": []}}');
    const badRegistry = await monitor({ "key-registry": "bad-registry.json" });
    expect(badRegistry.code).toBe(1);
    expect(badRegistry.errors.join("\n")).toMatch(/bad-registry\.json.*components\.ovmf/);
    const badLimit = await monitor({ "max-issues": "0" });
    expect(badLimit.errors.join("\n")).toContain("input 'max-issues'");
    for (const run of [missingLog, badRegistry, badLimit]) expect(run.stderr).toBe("");
    expect(monitorIssues()).toEqual([]);
    expect(repository.resolve("refs/heads/reftrail-monitor")).toBeUndefined();
  });

  it("state in a file: created on the first run, read and advanced by the next", async () => {
    await release("1.0");
    expectClean(await monitor({ "state-file": "monitor/state.json" }));
    const path = join(workspace, "monitor/state.json");
    expect(Object.values(parseMonitorState(readFileSync(path, "utf8"), path).logs)[0]!.checkpoint?.size).toBe(2);
    expect(repository.resolve("refs/heads/reftrail-monitor")).toBeUndefined();
    await rogue("6.6.6");
    const next = await monitor({ "state-file": "monitor/state.json" });
    expectClean(next);
    expect(next.outputs).toEqual({ problems: "1", entries: "1", "tree-size": "3" });
  });

  it("max-issues bounds the issues of a run; the rest are reported by the next runs", async () => {
    const first = await rogue("6.6.6");
    const second = await rogue("6.6.7");
    const run = await monitor({ "max-issues": "1" });
    expectClean(run);
    expect(run.outputs).toEqual({ problems: "1", entries: "2", "tree-size": "2" });
    expect(run.warnings.join("\n")).toContain("1 further problems are left for the next run");
    expect(monitorIssues().map((i) => i.body?.includes(first.entryId))).toEqual([true]);
    const next = await monitor({ "max-issues": "1" });
    expectClean(next);
    expect(next.outputs).toEqual({ problems: "1", entries: "1", "tree-size": "2" });
    expect(monitorIssues()[1]!.body).toContain(second.entryId);
    expect((await monitor({ "max-issues": "1" })).outputs["problems"]).toBe("0");
    expect(monitorIssues()).toHaveLength(2);
  });

  it("a state file that is not a state fails the run naming it, and opens nothing", async () => {
    await rogue("6.6.6");
    writeFileSync(join(workspace, "state.json"), JSON.stringify({ version: 2, logs: {}, reported: [], statementAssets: {} }));
    const run = await monitor({ "state-file": "state.json" });
    expect(run.code).toBe(1);
    expect(run.errors.join("\n")).toMatch(/state\.json: version: /);
    expect(monitorIssues()).toEqual([]);
  });

  it("a rollback to a smaller log is reported, once, and the stored checkpoint kept", async () => {
    await release("1.0");
    const older = join(scratch("older-"), "log");
    cpSync(logDir, older, { recursive: true });
    await release("1.1");
    expectClean(await monitor());
    const stored = Object.values(branchState()!.logs)[0]!.checkpoint;
    expect(stored?.size).toBe(4);
    const run = await monitor({ log: older });
    expectClean(run);
    expect(run.outputs["problems"]).toBe("1");
    expect(monitorIssues()).toHaveLength(1);
    expect(monitorIssues()[0]!.title).toContain("smaller");
    expect(Object.values(branchState()!.logs)[0]!.checkpoint).toEqual(stored);
    expectClean(await monitor({ log: older }));
    expect(monitorIssues()).toHaveLength(1);
  });

  it("an empty log on the first run", async () => {
    const run = await monitor();
    expectClean(run);
    expect(run.outputs).toEqual({ problems: "0", entries: "0", "tree-size": "0" });
  });

  it("through `reftrail log serve` and rekor-url with the pinned key: the rogue entry found over HTTP", async () => {
    await release("1.0");
    const bad = await rogue("6.6.6");
    cpSync(join(logDir, "log-public-key.pem"), join(workspace, "rekor.pem"));
    const served = await serveLogProcess(logDir);
    cleanup.push(() => served.stop());
    const run = await monitor({ log: "", "rekor-url": served.url, "rekor-key": "rekor.pem" });
    expectClean(run);
    expect(run.warnings.filter((w) => w.includes("trusting"))).toEqual([]);
    expect(run.outputs).toEqual({ problems: "1", entries: "3", "tree-size": "3" });
    expect(monitorIssues()).toHaveLength(1);
    expect(monitorIssues()[0]!.body).toContain(bad.entryId);
    expect(existsSync(join(workspace, "state.json"))).toBe(false);
  });
});
