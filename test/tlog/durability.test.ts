import { spawn } from "node:child_process";
import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RekorClient, httpTransport } from "../../src/tlog/client.js";
import { parseCheckpoint } from "../../src/tlog/checkpoint.js";
import { EmbeddedLog, initLog, logPaths } from "../../src/tlog/embedded/log.js";
import { logIdentity } from "../../src/tlog/keys.js";
import { verifyConsistency } from "../../src/tlog/merkle.js";
import { verifyLogEntry } from "../../src/tlog/verify-entry.js";
import { fromHex } from "../../src/util/bytes.js";
import { ROOT } from "../helpers/fixtures.js";
import { prng } from "../helpers/random.js";
import { serveLogProcess } from "../helpers/serve.js";
import { hashedRekord, newSigner, tempDir } from "../helpers/tlog.js";

interface Ack {
  readonly id: string;
  readonly index: number;
  readonly checkpoint: string;
}

/** Every checkpoint seen must be a prefix of the final tree, and every acknowledged entry be in it. */
async function checkAgainstFinalTree(client: RekorClient, acks: readonly Ack[], name: string, identity: ReturnType<typeof logIdentity>): Promise<number> {
  const info = await client.getLogInfo();
  const finalRoot = fromHex(info.rootHash)!;
  for (const ack of acks) {
    const { entryId, entry } = await client.getEntryByIndex(ack.index);
    expect(entryId, `index ${ack.index}`).toBe(ack.id);
    verifyLogEntry(entryId, entry, { identity, name });
  }
  const checkpoints = new Map(acks.map((a) => [a.checkpoint, parseCheckpoint(a.checkpoint).checkpoint]));
  for (const c of checkpoints.values()) {
    if (c.size === info.treeSize) {
      expect(Buffer.from(c.rootHash).toString("hex")).toBe(info.rootHash);
      continue;
    }
    const proof = await client.getConsistencyProof(c.size, info.treeSize);
    expect(verifyConsistency(c.size, info.treeSize, c.rootHash, finalRoot, proof.hashes.map((h) => fromHex(h)!)), `${c.size} -> ${info.treeSize}`).toBe(true);
  }
  return info.treeSize;
}

describe("durability: kill -9 while clients are appending", () => {
  it("no acknowledged entry is lost, indexes never change, checkpoints stay consistent (3 kills)", async () => {
    const dir = tempDir("crash");
    initLog(dir, "crash.test.example");
    const identity = logIdentity(createPublicKey(readFileSync(logPaths(dir).publicKey)));
    const signer = newSigner();
    const next = prng(2026);
    const acks: Ack[] = [];
    let counter = 0;
    for (let round = 0; round < 3; round++) {
      const served = await serveLogProcess(dir);
      const client = new RekorClient(httpTransport(served.url, { retries: 0, timeoutMs: 5000 }));
      let stop = false;
      const writer = async () => {
        while (!stop) {
          const n = counter++;
          try {
            const r = await client.createEntry(hashedRekord(signer, Buffer.from(`crash test entry ${n}`)));
            acks.push({ id: r.entryId, index: r.entry.logIndex, checkpoint: r.entry.verification.inclusionProof!.checkpoint });
          } catch {
            return; // the server died mid-request: this entry was never acknowledged
          }
        }
      };
      const writers = Array.from({ length: 8 }, writer);
      await new Promise((r) => setTimeout(r, 300 + Math.floor(next() * 500)));
      await served.stop("SIGKILL");
      stop = true;
      await Promise.all(writers);
    }
    expect(acks.length).toBeGreaterThan(50);
    const served = await serveLogProcess(dir);
    try {
      const size = await checkAgainstFinalTree(new RekorClient(httpTransport(served.url)), acks, "crash.test.example", identity);
      expect(size).toBeGreaterThanOrEqual(Math.max(...acks.map((a) => a.index)) + 1);
    } finally {
      await served.stop();
    }
  });
});

describe("concurrency: several writer processes on one log", () => {
  it("never fork the tree nor assign an index twice", async () => {
    const dir = tempDir("multi");
    initLog(dir, "multi.test.example");
    const workers = 4;
    const perWorker = 60;
    const outputs = await Promise.all(
      Array.from({ length: workers }, (_, w) => new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, [join(ROOT, "test/helpers/append-worker.mjs"), dir, String(w), String(perWorker)], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`worker ${w} exited ${code}: ${err}`))));
      })),
    );
    const acks: Ack[] = outputs.flatMap((o) => o.trim().split("\n").map((l) => JSON.parse(l) as Ack));
    expect(acks).toHaveLength(workers * perWorker);
    expect(new Set(acks.map((a) => a.index)).size).toBe(workers * perWorker);
    expect(Math.max(...acks.map((a) => a.index))).toBe(workers * perWorker - 1);
    const log = EmbeddedLog.open(dir);
    try {
      const { inProcessTransport } = await import("../../src/tlog/embedded/in-process.js");
      const size = await checkAgainstFinalTree(new RekorClient(inProcessTransport(log)), acks, "multi.test.example", log.identity);
      expect(size).toBe(workers * perWorker);
    } finally {
      log.close();
    }
  });
});
