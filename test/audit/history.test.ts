import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { emptyAuditorState } from "../../src/audit/auditor-state.js";
import { changesBetween, fingerprintOf } from "../../src/audit/history/changes.js";
import { INDEX_CAP } from "../../src/audit/history/entries.js";
import { componentHistory, type HistoryInput } from "../../src/audit/history/history.js";
import { statementsInMemory } from "../../src/audit/monitor/released.js";
import { parseKeyRegistry } from "../../src/keys/registry.js";
import type { HistoryEntry } from "../../src/schema/audit-history.js";
import { RekorClient, type Transport } from "../../src/tlog/client.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { logPaths } from "../../src/tlog/embedded/log.js";
import { readEndorsement } from "../../src/verify/endorsement/statement.js";
import { signableStatement } from "../../src/endorse/statement.js";
import { project, type LoggedStatement, type Project } from "../helpers/monitor.js";
import { testLogs, type TestLog } from "../helpers/audit-logs.js";

/**
 * The history library over real embedded logs, each entry check made to fail on its own: a proof
 * that does not reach its checkpoint, a proof in a checkpoint of another history, a key used outside
 * its window, a statement of another component; and a proof in an older checkpoint, which is checked
 * by a consistency proof to the verified one.
 */

const { newLog, copy } = testLogs("history");
type Log = TestLog;

/** A transport answering GETs of single entries from `replace` when it has them (a log front serving other answers). */
function replaying(inner: Transport, replace: Map<string, string>): Transport {
  return {
    description: "replaying",
    async request(method, path, body) {
      const res = await inner.request(method, path, body);
      const id = /^\/api\/v1\/log\/entries\/([0-9a-f]+)$/.exec(path)?.[1];
      const swapped = id === undefined ? undefined : replace.get(id);
      return swapped === undefined ? res : { ...res, body: swapped };
    },
  };
}

async function entryResponse(l: Log, entryId: string): Promise<string> {
  return (await inProcessTransport(l.log).request("GET", `/api/v1/log/entries/${entryId}`)).body;
}

function input(p: Project, l: Log, logged: readonly LoggedStatement[], over: Partial<HistoryInput> = {}): HistoryInput {
  return {
    component: "app",
    client: l.client,
    log: { identity: l.log.identity, name: l.log.name, source: "test log" },
    registry: parseKeyRegistry(p.registryText(), "registry.json"),
    statements: statementsInMemory(logged.map((s) => ({ bytes: s.statement, source: "test" }))),
    state: emptyAuditorState(),
    now: BigInt(Date.now()) * 1_000_000n,
    ...over,
  };
}

const status = (e: HistoryEntry) => Object.fromEntries(e.checks.map((c) => [c.check, c.status]));

describe("componentHistory", () => {
  it("every entry under the key, newest first, with the release and subject each statement endorses", async () => {
    const p = project(["app", "config"]);
    const l = newLog();
    const logged = [...(await p.log(l.client, p.values("1.0"))), ...(await p.log(l.client, p.values("1.1")))];
    const { history } = await componentHistory(input(p, l, logged));
    const app = logged.filter((s) => s.component === "app").reverse();
    expect(history.verified).toBe(true);
    expect(history.entries.map((e) => [e.logIndex, e.release?.version, e.subject?.digest["sha256"]])).toEqual(
      app.map((s) => [s.logIndex, readEndorsement(s.statement).reftrail!.release.version, [...readEndorsement(s.statement).subjectDigests][0]![1]]),
    );
    // Each release is signed at its own time: the validity window moves with it.
    expect(history.entries[0]!.changes).toEqual(["release acme 1.0 → acme 1.1", expect.stringMatching(/^subject sha256 /), expect.stringMatching(/^validity /)]);
  });

  it("a proof that does not reach its checkpoint fails INCLUSION_PROOF, and its consistency is not run", async () => {
    const p = project(["app"]);
    const l = newLog();
    const logged = [...(await p.log(l.client, p.values("1.0"))), ...(await p.log(l.client, p.values("1.1")))];
    const json = JSON.parse(await entryResponse(l, logged[0]!.entryId)) as Record<string, { verification: { inclusionProof: { hashes: string[] } } }>;
    const proof = Object.values(json)[0]!.verification.inclusionProof;
    proof.hashes[0] = proof.hashes[0]!.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    const client = new RekorClient(replaying(inProcessTransport(l.log), new Map([[logged[0]!.entryId, JSON.stringify(json)]])));
    const { history } = await componentHistory(input(p, l, logged, { client }));
    expect(history.entries.map((e) => e.verified)).toEqual([true, false]);
    expect(status(history.entries[1]!)).toMatchObject({ STATEMENT_SIGNATURE: "passed", INCLUSION_PROOF: "failed", CHECKPOINT_CONSISTENCY: "not run" });
    expect(history.failures).toEqual(["ENTRIES"]);
  });

  it("a proof in an older checkpoint is checked by a consistency proof; one in another history's checkpoint fails", async () => {
    const p = project(["app"]);
    const a = newLog();
    const first = await p.log(a.client, p.values("1.0"));
    const older = await entryResponse(a, first[0]!.entryId);
    const b = copy(a);
    const logged = [...first, ...(await p.log(a.client, p.values("1.1"))), ...(await p.log(a.client, p.values("1.2")))];
    await p.log(b.client, p.values("6.6.6"));
    await p.log(b.client, p.values("6.6.7"));
    const forked = await entryResponse(b, first[0]!.entryId);
    const withOlder = await componentHistory(input(p, a, logged, { client: new RekorClient(replaying(inProcessTransport(a.log), new Map([[first[0]!.entryId, older]]))) }));
    expect(withOlder.history.verified).toBe(true);
    expect(withOlder.history.entries[2]!.checks.find((c) => c.check === "CHECKPOINT_CONSISTENCY")?.detail).toBe("tree size 1 within the verified 3");
    const withFork = await componentHistory(input(p, a, logged, { client: new RekorClient(replaying(inProcessTransport(a.log), new Map([[first[0]!.entryId, forked]]))) }));
    const entry = withFork.history.entries[2]!;
    expect(status(entry)).toMatchObject({ INCLUSION_PROOF: "passed", CHECKPOINT_CONSISTENCY: "failed" });
    expect(entry.checks.find((c) => c.check === "CHECKPOINT_CONSISTENCY")?.detail).toMatch(/a fork/);
  });

  it("a key used outside its registered window fails KEY_VALIDITY", async () => {
    const p = project(["app"]);
    const l = newLog();
    const logged = await p.log(l.client, p.values("1.0"));
    const registry = JSON.parse(p.registryText()) as { components: Record<string, { validFor: { start: string; end?: string } }[]> };
    registry.components["app"]![0]!.validFor = { start: "2020-01-01T00:00:00Z", end: "2021-01-01T00:00:00Z" };
    const { history } = await componentHistory(input(p, l, logged, { registry: parseKeyRegistry(JSON.stringify(registry), "registry.json") }));
    expect(history.entries[0]!.failures).toEqual(["KEY_VALIDITY"]);
  });

  it("a statement of another component under the key fails STATEMENT", async () => {
    const p = project(["app", "config"]);
    const l = newLog();
    const logged = await p.log(l.client, p.values("1.0"));
    const registry = JSON.parse(p.registryText()) as { components: Record<string, unknown> };
    registry.components["app"] = registry.components["config"];
    const { history } = await componentHistory(input(p, l, logged, { registry: parseKeyRegistry(JSON.stringify(registry), "registry.json") }));
    expect(history.entries).toHaveLength(1);
    expect(history.entries[0]!.failures).toEqual(["STATEMENT"]);
  });

  it("--since filters by integration time", async () => {
    const p = project(["app"]);
    const l = newLog();
    const logged = await p.log(l.client, p.values("1.0"));
    const all = await componentHistory(input(p, l, logged));
    expect(all.history.entries).toHaveLength(1);
    const later = await componentHistory(input(p, l, logged, { since: BigInt(Date.now() + 60_000) * 1_000_000n }));
    expect(later.history.entries).toEqual([]);
    expect(later.history.verified).toBe(true);
  });
});

describe("componentHistory handing on what it judged", () => {
  it("with `logged`, each streamed row comes with its log entry, key and statement; without, with none", async () => {
    const p = project(["app"]);
    const l = newLog();
    const logged = [...(await p.log(l.client, p.values("1.0"))), ...(await p.log(l.client, p.values("1.1")))];
    // The second release's statement is not at hand: its row comes without one.
    const seen: { index: number; entryIndex: number; key: string; statement: Uint8Array | undefined; release: string | undefined }[] = [];
    const { history } = await componentHistory(
      input(p, l, logged.slice(0, 1), {
        logged: true,
        onEntry: (row, raw) => seen.push({ index: row.logIndex, entryIndex: raw!.entry.logIndex, key: raw!.key.keyId, statement: raw!.statement?.bytes, release: raw!.statement?.content?.reftrail?.release.version }),
      }),
    );
    expect(history.entries).toEqual([]);
    const registry = JSON.parse(p.registryText()) as { components: Record<string, { keyId: string }[]> };
    expect(seen).toEqual([
      { index: logged[1]!.logIndex, entryIndex: logged[1]!.logIndex, key: registry.components["app"]![0]!.keyId, statement: undefined, release: undefined },
      { index: logged[0]!.logIndex, entryIndex: logged[0]!.logIndex, key: registry.components["app"]![0]!.keyId, statement: logged[0]!.statement, release: "1.0" },
    ]);
    const without: unknown[] = [];
    await componentHistory(input(p, l, logged, { onEntry: (_row, raw) => without.push(raw) }));
    expect(without).toEqual([undefined, undefined]);
  });
});

describe("componentHistory when the index may have cut its answer", () => {
  /** A log front whose index answers INDEX_CAP ids for any key: the real ones, padded with ids of nothing. */
  function capped(inner: Transport): Transport {
    return {
      description: "capped index",
      async request(method, path, body) {
        const res = await inner.request(method, path, body);
        if (path !== "/api/v1/index/retrieve") return res;
        const ids = JSON.parse(res.body) as string[];
        const padding = Array.from({ length: INDEX_CAP - ids.length }, (_, i) => i.toString(16).padStart(80, "f"));
        return { ...res, body: JSON.stringify([...ids, ...padding]) };
      },
    };
  }

  it("reads the whole log, keeping the component key's entries", async () => {
    const p = project(["app", "config"]);
    const l = newLog();
    const logged = [...(await p.log(l.client, p.values("1.0"))), ...(await p.log(l.client, p.values("1.1")))];
    const { history } = await componentHistory(input(p, l, logged, { client: new RekorClient(capped(inProcessTransport(l.log))), batch: 3 }));
    expect(history.verified).toBe(true);
    expect(history.entries.map((e) => e.logIndex)).toEqual(logged.filter((s) => s.component === "app").map((s) => s.logIndex).reverse());
    expect(history.checks.find((c) => c.check === "COMPLETE")?.actual).toBe("all 4 entries of the log read");
    // Read newest first and streamed: what changed is still against the next older entry.
    expect(history.entries.map((e) => e.changes[0])).toEqual(["release acme 1.0 → acme 1.1", undefined]);
  });

  /** As capped, keeping the in-process log's typed reads (Transport.local), counting them and the single-entry requests. */
  function cappedLocal(inner: Transport): { transport: Transport; counts: { ranges: number; requests: number } } {
    const counts = { ranges: 0, requests: 0 };
    const outer = capped(inner);
    const local = inner.local!;
    return {
      counts,
      transport: {
        description: "capped index, in-process reads",
        request(method, path, body) {
          if (path.startsWith("/api/v1/log/entries?logIndex=")) counts.requests++;
          return outer.request(method, path, body);
        },
        local: {
          entriesInRange(from, to) {
            counts.ranges++;
            return local.entriesInRange(from, to);
          },
        },
      },
    };
  }

  /** The log's database changed behind its back, as a disk or an intruder could. */
  function tamperStore(l: Log, sql: string, ...params: (number | Uint8Array)[]): void {
    const db = new DatabaseSync(logPaths(l.dir).database);
    try {
      expect(db.prepare(sql).run(...params).changes).toBe(1);
    } finally {
      db.close();
    }
  }

  it("a log in this process is read through its typed entries, a range a query, and judged as the same log over JSON is", async () => {
    const p = project(["app", "config"]);
    const l = newLog();
    const logged = [...(await p.log(l.client, p.values("1.0"))), ...(await p.log(l.client, p.values("1.1"))), ...(await p.log(l.client, p.values("1.2")))];
    const { transport, counts } = cappedLocal(inProcessTransport(l.log));
    const fast = await componentHistory(input(p, l, logged, { client: new RekorClient(transport), batch: 4 }));
    expect(counts).toEqual({ ranges: 2, requests: 0 });
    // The same log through the JSON text and the strict parse, an index a request.
    const overJson = await componentHistory(input(p, l, logged, { client: new RekorClient(capped(inProcessTransport(l.log))), batch: 4 }));
    expect(fast.history.verified).toBe(true);
    expect(fast.history.entries).toEqual(overJson.history.entries);
    expect(fast.history.entries.map((e) => e.logIndex)).toEqual([4, 2, 0]);
  });

  it("through the typed reads, a proof node changed in the store fails INCLUSION_PROOF of the entries whose proofs hold it", async () => {
    const p = project(["app"]);
    const l = newLog();
    const logged = [...(await p.log(l.client, p.values("1.0"))), ...(await p.log(l.client, p.values("1.1"))), ...(await p.log(l.client, p.values("1.2"))), ...(await p.log(l.client, p.values("1.3")))];
    // In a tree of 4, the node over leaves 2 and 3 (level 1, index 1: id 1 + 64) is in the proofs of entries 0 and 1 only.
    tamperStore(l, "UPDATE nodes SET hash = ? WHERE id = ?", new Uint8Array(32).fill(7), 65);
    const { transport, counts } = cappedLocal(inProcessTransport(l.log));
    const { history } = await componentHistory(input(p, l, logged, { client: new RekorClient(transport) }));
    expect(counts.ranges).toBeGreaterThan(0);
    expect(history.entries.map((e) => [e.logIndex, status(e)["INCLUSION_PROOF"], status(e)["STATEMENT_SIGNATURE"]])).toEqual([
      [3, "passed", "passed"],
      [2, "passed", "passed"],
      [1, "failed", "passed"],
      [0, "failed", "passed"],
    ]);
    expect(history.failures).toEqual(["ENTRIES"]);
  });

  it("through the typed reads, a signature changed in a stored body fails STATEMENT_SIGNATURE (and the entry's leaf no longer matches)", async () => {
    const p = project(["app"]);
    const l = newLog();
    const logged = [...(await p.log(l.client, p.values("1.0"))), ...(await p.log(l.client, p.values("1.1")))];
    const body = JSON.parse(Buffer.from((await l.client.getEntryByIndex(0)).entry.body, "base64").toString("utf8")) as { spec: { signature: { content: string } } };
    const signature = Buffer.from(body.spec.signature.content, "base64");
    signature[signature.length - 1]! ^= 0x01; // the last byte of s: still DER, no longer the signature
    body.spec.signature.content = signature.toString("base64");
    tamperStore(l, "UPDATE entries SET body = ? WHERE idx = ?", Buffer.from(JSON.stringify(body)), 0);
    const { transport, counts } = cappedLocal(inProcessTransport(l.log));
    const { history } = await componentHistory(input(p, l, logged, { client: new RekorClient(transport) }));
    expect(counts.ranges).toBeGreaterThan(0);
    expect(history.entries.map((e) => e.verified)).toEqual([true, false]);
    expect(status(history.entries[1]!)).toMatchObject({ STATEMENT_AVAILABLE: "passed", STATEMENT_SIGNATURE: "failed", INCLUSION_PROOF: "failed" });
  });

  it("without a verified checkpoint to bound the log, the history says it may be incomplete", async () => {
    const p = project(["app"]);
    const l = newLog();
    const logged = await p.log(l.client, p.values("1.0"));
    const inner = capped(inProcessTransport(l.log));
    const forged: Transport = {
      description: "forged checkpoint",
      async request(method, path, body) {
        const res = await inner.request(method, path, body);
        if (path !== "/api/v1/log") return res;
        const json = JSON.parse(res.body) as { signedTreeHead: string };
        json.signedTreeHead = json.signedTreeHead.replace(/\n1\n/, "\n2\n");
        return { ...res, body: JSON.stringify(json) };
      },
    };
    const { history } = await componentHistory(input(p, l, logged, { client: new RekorClient(forged) }));
    expect(history.failures).toEqual(["LOG_CHECKPOINT", "COMPLETE"]);
  });
});

describe("changesBetween", () => {
  it("names claims added and removed, and each values field that differs", () => {
    const p = project(["app"]);
    const a = p.values("1.0").components[0]!;
    const b = { ...a, claims: ["https://example.com/new"], size: 2000 };
    const times = { issuedOn: 1_767_225_600n * 1_000_000_000n, notBefore: 1_767_225_600n * 1_000_000_000n, notAfter: 1_798_761_600n * 1_000_000_000n };
    const fingerprint = (values: typeof a) => fingerprintOf(readEndorsement(signableStatement({ name: "acme", version: "1.0" }, values, times).bytes));
    const older = fingerprint(a);
    expect(changesBetween(older, older)).toEqual([]);
    expect(changesBetween(older, fingerprint(b))).toEqual(["claims +https://example.com/new", "values size"]);
  });
});
