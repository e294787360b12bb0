import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { INDEX_CAP } from "../../../src/audit/history/entries.js";
import { monitorLog, withinProblemLimit, type MonitorRun } from "../../../src/audit/monitor/monitor.js";
import { statementsInMemory, type ReleasedStatement } from "../../../src/audit/monitor/released.js";
import { emptyMonitorState, withReported } from "../../../src/audit/monitor/state.js";
import { parseKeyRegistry } from "../../../src/keys/registry.js";
import type { MonitorState } from "../../../src/schema/monitor-state.js";
import type { ReferenceValues } from "../../../src/schema/reference-values.js";
import { RekorClient, type Transport } from "../../../src/tlog/client.js";
import { EmbeddedLog, initLog } from "../../../src/tlog/embedded/log.js";
import { inProcessTransport } from "../../../src/tlog/embedded/in-process.js";
import { DAY_NS, project, type LoggedStatement, type Project } from "../../helpers/monitor.js";
import { tempDir } from "../../helpers/tlog.js";

/**
 * The monitor library over real embedded logs: each problem made to happen (a statement in no
 * release, values in no reference-values document, a tampered proof or SET, a key used outside its
 * window, a rolled-back, forked or mis-signed log), and the runs around them (first, empty, from state).
 */

const opened: EmbeddedLog[] = [];
afterEach(() => {
  for (const log of opened.splice(0)) log.close();
});

function openLog(dir: string): { log: EmbeddedLog; client: RekorClient } {
  const log = EmbeddedLog.open(dir);
  opened.push(log);
  return { log, client: new RekorClient(inProcessTransport(log)) };
}

function newLog(): { dir: string; log: EmbeddedLog; client: RekorClient } {
  const dir = join(tempDir("monitor"), "log");
  initLog(dir, "monitor.test.example");
  return { dir, ...openLog(dir) };
}

/** A copy of a log folder as it is now (same key, same tree): a second history can grow from it. */
function copyLog(source: { dir: string; log: EmbeddedLog }): { dir: string; log: EmbeddedLog; client: RekorClient } {
  source.log.close();
  opened.splice(opened.indexOf(source.log), 1);
  const dir = join(tempDir("monitor-copy"), "log");
  cpSync(source.dir, dir, { recursive: true });
  const reopened = openLog(source.dir);
  Object.assign(source, reopened);
  return { dir, ...openLog(dir) };
}

/** A transport whose answers to GETs of `path` are rewritten (a compromised log front). */
function rewriting(inner: Transport, path: RegExp, rewrite: (json: Record<string, unknown>) => void): Transport {
  return {
    description: `rewritten ${inner.description}`,
    async request(method, p, body) {
      const res = await inner.request(method, p, body);
      if (method !== "GET" || !path.test(p) || res.status !== 200) return res;
      const json = JSON.parse(res.body) as Record<string, unknown>;
      rewrite(json);
      return { ...res, body: JSON.stringify(json) };
    },
  };
}

interface Setup {
  readonly project: Project;
  readonly released: ReleasedStatement[];
  readonly documents: Map<string, ReferenceValues>;
}

function setup(components = ["app", "config"]): Setup {
  return { project: project(components), released: [], documents: new Map() };
}

/** Logs release `version` and makes it released: its statements attached, its document committed. */
async function release(s: Setup, client: RekorClient, version: string): Promise<LoggedStatement[]> {
  const values = s.project.values(version);
  const logged = await s.project.log(client, values);
  s.released.push(...logged.map((l) => ({ bytes: l.statement, source: `${version}/${l.component}.endorsement.json` })));
  s.documents.set(version, values);
  return logged;
}

function run(s: Setup, client: RekorClient, log: EmbeddedLog, state: MonitorState = emptyMonitorState(), registryText = s.project.registryText()): Promise<MonitorRun> {
  return monitorLog({
    client,
    log: { identity: log.identity, name: log.name, source: "test log" },
    registry: parseKeyRegistry(registryText, "registry.json"),
    registrySource: "registry.json",
    statements: statementsInMemory(s.released),
    referenceValues: (version) => Promise.resolve(s.documents.get(version)),
    state,
  });
}

/** The run found exactly problems of `kinds`, the first one's body saying `text`. */
function expectProblems(r: MonitorRun, kinds: readonly string[], text: string): void {
  expect(r.problems.map((p) => p.kind)).toEqual(kinds);
  expect(r.problems[0]!.body).toContain(text);
}

/** What a caller does after reporting every problem: store the state with their fingerprints. */
const reportedState = (r: MonitorRun) => withReported(r.state, r.problems.map((p) => p.fingerprint));

describe("monitor: runs", () => {
  it("an empty log, no state: nothing to check, its empty checkpoint stored", async () => {
    const s = setup();
    const { log, client } = newLog();
    const r = await run(s, client, log);
    expect(r.problems).toEqual([]);
    expect(r.entries).toBe(0);
    expect(r.checkpoint?.size).toBe(0);
    const stored = r.state.logs[log.identity.logId]!;
    expect(stored.checkpoint?.size).toBe(0);
    expect(stored.entries).toEqual({});
    expect(r.components.map((c) => [c.component, c.checked])).toEqual([["app", 0], ["config", 0]]);
  });

  it("first run without state: every released entry checked, none a problem; the unrelated entries ignored", async () => {
    const s = setup();
    const { log, client } = newLog();
    const other = project(["other"]);
    await other.log(client, other.values("9"));
    const logged = await release(s, client, "1.0");
    const r = await run(s, client, log);
    expect(r.problems).toEqual([]);
    expect(r.entries).toBe(2);
    expect(r.checkpoint?.size).toBe(3);
    const entries = r.state.logs[log.identity.logId]!.entries;
    expect(Object.keys(entries).sort()).toEqual(logged.map((l) => l.entryId).sort());
    for (const l of logged) expect(entries[l.entryId]).toEqual({ logIndex: l.logIndex, outcome: "released" });
  });

  it("a run from state checks only the entries logged since", async () => {
    const s = setup();
    const { log, client } = newLog();
    await release(s, client, "1.0");
    const first = await run(s, client, log);
    const second = await release(s, client, "1.1");
    const r = await run(s, client, log, reportedState(first));
    expect(r.problems).toEqual([]);
    expect(r.entries).toBe(2);
    expect(r.components.map((c) => [c.component, c.checked, c.total])).toEqual([["app", 1, 2], ["config", 1, 2]]);
    expect(r.state.logs[log.identity.logId]!.checkpoint?.size).toBe(4);
    for (const l of second) expect(r.state.logs[log.identity.logId]!.entries[l.entryId]?.outcome).toBe("released");
    const third = await run(s, client, log, reportedState(r));
    expect(third.entries).toBe(0);
    expect(third.problems).toEqual([]);
  });

  it("an entry beyond the checkpoint the run verified waits for the next run", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await release(s, client, "1.0");
    const stale = await client.getLogInfo();
    await release(s, client, "1.1");
    const frozen = new RekorClient(rewriting(inProcessTransport(log), /^\/api\/v1\/log$/, (json) => Object.assign(json, stale)));
    const r = await run(s, frozen, log);
    expect(r.entries).toBe(1);
    expect(r.deferred).toBe(1);
    expect(Object.keys(r.state.logs[log.identity.logId]!.entries)).toHaveLength(1);
    const next = await run(s, client, log, r.state);
    expect(next.entries).toBe(1);
    expect(next.deferred).toBe(0);
  });
});

describe("monitor: entry problems", () => {
  it("UNRELEASED: a statement signed with a component key and logged, attached to no release", async () => {
    const s = setup();
    const { log, client } = newLog();
    await release(s, client, "1.0");
    const rogue = await s.project.log(client, { ...s.project.values("6.6.6"), components: [s.project.values("6.6.6").components[0]!] });
    const r = await run(s, client, log);
    expect(r.problems).toHaveLength(1);
    const [p] = r.problems;
    expect(p!.kind).toBe("UNRELEASED");
    expect(p!.component).toBe("app");
    expect(p!.entryId).toBe(rogue[0]!.entryId);
    expect(p!.fingerprint).toContain(rogue[0]!.entryId);
    expect(p!.body).toContain(rogue[0]!.sha256);
    expect(p!.body).toContain("attached to no release");
    expect(r.state.logs[log.identity.logId]!.entries[rogue[0]!.entryId]?.outcome).toBe("unreleased");
  });

  it("an index answer at its cap (it may be cut, hiding the rogue entry): the window since the stored checkpoint is read index by index", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await release(s, client, "1.0");
    // A front whose index answers INDEX_CAP ids for any key, none of them the real ones: a cut list.
    const capped: Transport = {
      description: "capped index",
      async request(method, path, body) {
        const res = await inProcessTransport(log).request(method, path, body);
        if (path !== "/api/v1/index/retrieve") return res;
        return { ...res, body: JSON.stringify(Array.from({ length: INDEX_CAP }, (_, i) => i.toString(16).padStart(80, "f"))) };
      },
    };
    const first = await run(s, new RekorClient(capped), log);
    expect(first.problems).toEqual([]);
    expect(first.entries).toBe(1);
    const rogue = await s.project.log(client, s.project.values("6.6.6"));
    await release(s, client, "1.1");
    const fetched: string[] = [];
    const counting: Transport = {
      description: "counting",
      async request(method, path, body) {
        fetched.push(path);
        return capped.request(method, path, body);
      },
    };
    const next = await run(s, new RekorClient(counting), log, reportedState(first));
    expect(next.problems.map((p) => [p.kind, p.entryId])).toEqual([["UNRELEASED", rogue[0]!.entryId]]);
    expect(next.entries).toBe(2);
    // Only the entries since the stored checkpoint (index 1 on) were read by index.
    expect(fetched.filter((p) => p.startsWith("/api/v1/log/entries?logIndex=")).sort()).toEqual(["/api/v1/log/entries?logIndex=1", "/api/v1/log/entries?logIndex=2"]);
  });

  it("UNRELEASED: a released statement whose values match no reference-values document", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await release(s, client, "1.0");
    // The statement is attached to a release, but the repository's document for 1.0 lists other values.
    const forged = await s.project.log(client, s.project.values("1.0", "forged"));
    s.released.push({ bytes: forged[0]!.statement, source: "1.0/app.endorsement.json" });
    // And one for a release the repository has no document for.
    const undocumented = await s.project.log(client, s.project.values("2.0"));
    s.released.push({ bytes: undocumented[0]!.statement, source: "2.0/app.endorsement.json" });
    const r = await run(s, client, log);
    expect(r.problems.map((p) => [p.kind, p.entryId])).toEqual([["UNRELEASED", forged[0]!.entryId], ["UNRELEASED", undocumented[0]!.entryId]]);
    expect(r.problems[0]!.body).toContain("match no reference-values document");
    expect(r.problems[1]!.body).toContain("release `2.0`, which has no reference-values document");
  });

  it("text a statement carries stands in the issue as one inert code span", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    const logged = await s.project.log(client, s.project.values("9 @maintainers [x](https://evil.example) `y`\u0007"));
    s.released.push({ bytes: logged[0]!.statement, source: "app.endorsement.json" });
    const r = await run(s, client, log);
    expectProblems(r, ["UNRELEASED"], "release `9 @maintainers [x](https://evil.example) 'y'\\x07`, which has no reference-values document");
  });

  it("INVALID_ENTRY: an inclusion proof tampered with on the way", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await release(s, client, "1.0");
    await release(s, client, "1.1");
    const tampered = new RekorClient(
      rewriting(inProcessTransport(log), /^\/api\/v1\/log\/entries\//, (json) => {
        const entry = Object.values(json)[0] as { verification: { inclusionProof: { hashes: string[] } } };
        const h = entry.verification.inclusionProof.hashes;
        h[0] = (h[0]![0] === "0" ? "1" : "0") + h[0]!.slice(1);
      }),
    );
    const r = await run(s, tampered, log);
    expectProblems(r, ["INVALID_ENTRY", "INVALID_ENTRY"], "INCLUSION_PROOF");
  });

  it("INVALID_ENTRY: a signed entry timestamp tampered with, for a statement in no release too", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await s.project.log(client, s.project.values("1.0"));
    const tampered = new RekorClient(
      rewriting(inProcessTransport(log), /^\/api\/v1\/log\/entries\//, (json) => {
        const entry = Object.values(json)[0] as { integratedTime: number };
        entry.integratedTime -= 1;
      }),
    );
    const r = await run(s, tampered, log);
    expectProblems(r, ["INVALID_ENTRY"], "SET_SIGNATURE");
  });

  it("INVALID_ENTRY: a released statement logged after its key's registry window ended", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await release(s, client, "1.0");
    const registry = JSON.parse(s.project.registryText()) as { components: Record<string, { validFor: { start: string; end?: string } }[]> };
    registry.components["app"]![0]!.validFor.end = "2021-01-01T00:00:00Z";
    const r = await run(s, client, log, emptyMonitorState(), JSON.stringify(registry));
    expectProblems(r, ["INVALID_ENTRY"], "KEY_VALIDITY");
  });

  it("INVALID_ENTRY: a released statement not valid when it was logged", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    const values = s.project.values("1.0");
    const logged = await s.project.log(client, values, { notBefore: 0n, notAfter: DAY_NS });
    s.released.push({ bytes: logged[0]!.statement, source: "1.0/app.endorsement.json" });
    s.documents.set("1.0", values);
    const r = await run(s, client, log);
    expectProblems(r, ["INVALID_ENTRY"], "VALIDITY");
  });

  it("a problem already reported is not reported again; the entry is not checked twice", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await s.project.log(client, s.project.values("6.6.6"));
    const first = await run(s, client, log);
    expect(first.problems).toHaveLength(1);
    // A run that could not report keeps the old state: the same problem comes back.
    expect((await run(s, client, log)).problems.map((p) => p.fingerprint)).toEqual(first.problems.map((p) => p.fingerprint));
    // Reported (fingerprint stored), but the entry somehow not marked seen: still not reported twice.
    const reportedOnly = withReported(emptyMonitorState(), first.problems.map((p) => p.fingerprint));
    expect((await run(s, client, log, reportedOnly)).problems).toEqual([]);
    expect((await run(s, client, log, reportedState(first))).entries).toBe(0);
  });
});

/** A log of one release copied (same key, same tree), then the original grown by a second release: B is A's past. */
async function twoHistories() {
  const s = setup(["app"]);
  const a = newLog();
  await release(s, a.client, "1.0");
  const b = copyLog(a);
  await release(s, a.client, "1.1");
  return { s, a, b };
}

describe("monitor: a bounded number of problems a run", () => {
  it("the problems beyond the limit are left for the next run: their entries are not marked seen", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    const rogues = [...(await s.project.log(client, s.project.values("6.6.6"))), ...(await s.project.log(client, s.project.values("6.6.7"))), ...(await s.project.log(client, s.project.values("6.6.8")))];
    const full = await run(s, client, log);
    expect(full.problems).toHaveLength(3);
    const cut = withinProblemLimit(full, log.identity.logId, 2);
    expect(cut.postponed).toBe(1);
    expect(cut.run.problems.map((p) => p.entryId)).toEqual([rogues[0]!.entryId, rogues[1]!.entryId]);
    const next = await run(s, client, log, reportedState(cut.run));
    expect(next.problems.map((p) => p.entryId)).toEqual([rogues[2]!.entryId]);
    expect(next.entries).toBe(1);
    expect(withinProblemLimit(next, log.identity.logId, 2)).toEqual({ run: next, postponed: 0 });
  });
});

describe("monitor: log problems", () => {
  it("ROLLBACK: the log is smaller than the checkpoint stored", async () => {
    const { s, a, b } = await twoHistories();
    const first = await run(s, a.client, a.log);
    expect(first.checkpoint?.size).toBe(2);
    const r = await run(s, b.client, b.log, reportedState(first));
    expectProblems(r, ["ROLLBACK"], "1 entries, 2 were verified before");
    // The stored checkpoint is not given up for the smaller one.
    expect(r.state.logs[a.log.identity.logId]!.checkpoint).toEqual(first.state.logs[a.log.identity.logId]!.checkpoint);
    // Reported once: the next run against the rolled-back log finds it reported already.
    expect((await run(s, b.client, b.log, reportedState(r))).problems).toEqual([]);
  });

  it("FORK: the same size with another root, and a larger tree that is not an extension", async () => {
    const { s, a, b } = await twoHistories();
    await release(s, b.client, "1.2");
    const first = await run(s, a.client, a.log);
    const sameSize = await run(s, b.client, b.log, reportedState(first));
    expectProblems(sameSize, ["FORK"], "at tree size 2");
    expect(sameSize.state.logs[a.log.identity.logId]!.checkpoint).toEqual(first.state.logs[a.log.identity.logId]!.checkpoint);
    await release(s, b.client, "1.3");
    const larger = await run(s, b.client, b.log, first.state);
    expectProblems(larger, ["FORK"], "consistency proof from tree size 2 to 3 does not verify");
  });

  it("CHECKPOINT: a checkpoint the log key did not sign, and one that says another size than the log", async () => {
    const s = setup(["app"]);
    const { log, client } = newLog();
    await release(s, client, "1.0");
    const first = await run(s, client, log);
    await release(s, client, "1.1");
    const rewritten = new RekorClient(
      rewriting(inProcessTransport(log), /^\/api\/v1\/log$/, (json) => {
        json["signedTreeHead"] = String(json["signedTreeHead"]).replace(/\n2\n/, "\n3\n");
      }),
    );
    const r = await run(s, rewritten, log, reportedState(first));
    expectProblems(r, ["CHECKPOINT"], "does not verify");
    expect(r.entries).toBe(0);
    expect(r.state.logs[log.identity.logId]!.checkpoint).toEqual(first.state.logs[log.identity.logId]!.checkpoint);
    const misstated = new RekorClient(rewriting(inProcessTransport(log), /^\/api\/v1\/log$/, (json) => (json["treeSize"] = 7)));
    const m = await run(s, misstated, log, reportedState(first));
    expectProblems(m, ["CHECKPOINT"], "states tree size 7");
  });
});
