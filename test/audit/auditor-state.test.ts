import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { auditLogHead, emptyAuditorState, loadAuditorState, storeAuditorState, type AuditorState } from "../../src/audit/auditor-state.js";
import { RekorClient, type Transport } from "../../src/tlog/client.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { project } from "../helpers/monitor.js";
import { testLogs, type TestLog } from "../helpers/audit-logs.js";
import { tempDir } from "../helpers/tlog.js";

/** The auditor's own state over real embedded logs: stored, advanced, and kept when the log is inconsistent. */

const { newLog, copy } = testLogs("auditor");
type Log = TestLog;

const NOW = 1_800_000_000n * 1_000_000_000n;
const trusted = (l: Log) => ({ identity: l.log.identity, name: l.log.name, source: "test log" });
const sizeIn = (state: AuditorState, l: Log) => state.logs[l.log.identity.logId]?.checkpoint.size;
const app = project(["app"]);

/** The one line the CLI would print for what `fn` throws: the file it names, then the message. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return `${(err as { subject?: string }).subject ?? ""}: ${(err as Error).message}`;
  }
  throw new Error("did not throw");
}

describe("auditor state", () => {
  it("a first run stores the checkpoint, a consistent later one advances it", async () => {
    const a = newLog();
    const first = await auditLogHead(a.client, trusted(a), emptyAuditorState(), NOW);
    expect(first.advanced).toBe(true);
    expect(sizeIn(first.state, a)).toBe(0);
    await app.log(a.client, app.values("1.0"));
    await app.log(a.client, app.values("1.1"));
    const second = await auditLogHead(a.client, trusted(a), first.state, NOW);
    expect(second.head.problem).toBeUndefined();
    expect(second.advanced).toBe(true);
    expect(second.stored?.checkpoint.size).toBe(0);
    expect(sizeIn(second.state, a)).toBe(2);
  });

  it("ROLLBACK and FORK are reported and the stored checkpoint is kept", async () => {
    const a = newLog();
    await app.log(a.client, app.values("1.0"));
    const past = copy(a);
    await app.log(a.client, app.values("1.1"));
    const fork = copy(past);
    await app.log(fork.client, app.values("6.6.6"));
    const seen = (await auditLogHead(a.client, trusted(a), emptyAuditorState(), NOW)).state;
    const rolledBack = await auditLogHead(past.client, trusted(past), seen, NOW);
    expect(rolledBack.head.problem?.kind).toBe("ROLLBACK");
    expect(rolledBack.advanced).toBe(false);
    expect(rolledBack.state).toBe(seen);
    const forked = await auditLogHead(fork.client, trusted(fork), seen, NOW);
    expect(forked.head.problem?.kind).toBe("FORK");
    expect(forked.advanced).toBe(false);
    expect(forked.state).toBe(seen);
  });

  it("a checkpoint whose signature does not verify is reported as CHECKPOINT and not stored, even on a first run", async () => {
    const a = newLog();
    await app.log(a.client, app.values("1.0"));
    const inner = inProcessTransport(a.log);
    const forged: Transport = {
      description: "forged",
      async request(method, path, body) {
        const res = await inner.request(method, path, body);
        if (path !== "/api/v1/log") return res;
        const json = JSON.parse(res.body) as { signedTreeHead: string };
        json.signedTreeHead = json.signedTreeHead.replace(/— (\S+) (\S)/, (_m, name: string, c: string) => `— ${name} ${c === "A" ? "B" : "A"}`);
        return { ...res, body: JSON.stringify(json) };
      },
    };
    const r = await auditLogHead(new RekorClient(forged), trusted(a), emptyAuditorState(), NOW);
    expect(r.head.problem?.kind).toBe("CHECKPOINT");
    expect(r.advanced).toBe(false);
    expect(r.state).toEqual(emptyAuditorState());
  });

  it("is stored atomically and read back strictly: a tampered or truncated state is refused naming the file", async () => {
    const a = newLog();
    const dir = join(tempDir("auditor-state"), "state");
    expect(loadAuditorState(dir)).toEqual(emptyAuditorState());
    const { state } = await auditLogHead(a.client, trusted(a), emptyAuditorState(), NOW);
    storeAuditorState(dir, state);
    expect(loadAuditorState(dir)).toEqual(state);
    const file = join(dir, "auditor-state.json");
    const text = readFileSync(file, "utf8");
    writeFileSync(file, text.replace('"verifiedAt"', '"extra": 1, "verifiedAt"'));
    expect(refusal(() => loadAuditorState(dir))).toMatch(/auditor-state\.json: .*extra/);
    writeFileSync(file, text.slice(0, text.length / 2));
    expect(refusal(() => loadAuditorState(dir))).toMatch(/auditor-state\.json: /);
    writeFileSync(file, text.replace(/"rootHash": "[0-9a-f]+"/, '"rootHash": "00"'));
    expect(refusal(() => loadAuditorState(dir))).toMatch(/auditor-state\.json: .*rootHash/);
    const blocked = join(tempDir("auditor-state"), "file");
    writeFileSync(blocked, "");
    expect(() => storeAuditorState(join(blocked, "state"), state)).toThrow(/cannot be written/);
  });
});
