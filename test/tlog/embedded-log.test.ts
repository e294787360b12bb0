import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { chmodSync, statSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { ProposedEntry } from "../../src/schema/rekor.js";
import { RekorClient } from "../../src/tlog/client.js";
import { verifyCheckpoint } from "../../src/tlog/checkpoint.js";
import { EmbeddedLog, initLog, logPaths } from "../../src/tlog/embedded/log.js";
import { handleRekorApi } from "../../src/tlog/embedded/api.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { verifyConsistency } from "../../src/tlog/merkle.js";
import { verifyLogEntry, type TrustedLog } from "../../src/tlog/verify-entry.js";
import { fromHex } from "../../src/util/bytes.js";
import { prng, randomBytes } from "../helpers/random.js";
import { hashedRekord, newSigner, tempDir } from "../helpers/tlog.js";

const dir = tempDir("log");
initLog(dir, "log.test.example");
const log = EmbeddedLog.open(dir);
const client = new RekorClient(inProcessTransport(log));
const trusted: TrustedLog = { identity: log.identity, name: "log.test.example" };
const alice = newSigner();
const bob = newSigner("P-384");
afterAll(() => log.close());

describe("embedded log: creation", () => {
  it("writes the signing key readable by its owner only, and refuses to overwrite a log", () => {
    expect(statSync(logPaths(dir).privateKey).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(() => initLog(dir)).toThrow(expect.objectContaining({ code: "LOG_STATE" }));
  });
  it("refuses to open a log whose key others can read", () => {
    const other = tempDir("log-perm");
    initLog(other);
    chmodSync(logPaths(other).privateKey, 0o644);
    expect(() => EmbeddedLog.open(other)).toThrow(expect.objectContaining({ code: "LOG_KEY" }));
  });
  it("starts with a signed checkpoint of the empty tree", async () => {
    const info = await client.getLogInfo();
    expect(info.treeSize).toBe(0);
    expect(verifyCheckpoint(info.signedTreeHead, log.identity, "log.test.example").origin).toBe(`log.test.example - ${log.treeId}`);
  });
});

describe("embedded log: entries, proofs and checkpoints", () => {
  const seen: { size: number; root: Uint8Array }[] = [];
  const created: { id: string; index: number }[] = [];

  it("logs concurrent hashedrekord and rekord entries, each verifiable end to end", async () => {
    const proposals = Array.from({ length: 60 }, (_, i) => hashedRekord(i % 3 ? alice : bob, Buffer.from(`artifact ${i}`), i % 5 ? "hashedrekord" : "rekord"));
    const results = await Promise.all(proposals.map((p) => client.createEntry(p)));
    for (const r of results) {
      expect(r.created).toBe(true);
      const v = verifyLogEntry(r.entryId, r.entry, trusted);
      seen.push({ size: v.checkpoint.size, root: v.checkpoint.rootHash });
      created.push({ id: r.entryId, index: r.entry.logIndex });
    }
    expect(new Set(created.map((c) => c.index)).size).toBe(60);
    expect(Math.max(...created.map((c) => c.index))).toBe(59);
  });

  it("an equivalent entry is not logged twice: 409, the client returns the existing entry", async () => {
    const proposal = hashedRekord(alice, Buffer.from("once"));
    const first = await client.createEntry(proposal);
    const again = await client.createEntry(proposal);
    expect(again.created).toBe(false);
    expect(again.entryId).toBe(first.entryId);
    expect(again.entry.logIndex).toBe(first.entry.logIndex);
    const raw = await inProcessTransport(log).request("POST", "/api/v1/log/entries", proposal);
    expect(raw.status).toBe(409);
    expect(raw.header("location")).toBe(`/api/v1/log/entries/${first.entryId}`);
  });

  it("every checkpoint served is consistent with every later one", async () => {
    const info = await client.getLogInfo();
    const sizes = [...new Map(seen.map((s) => [s.size, s])).values()].sort((a, b) => a.size - b.size);
    sizes.push({ size: info.treeSize, root: fromHex(info.rootHash)! });
    for (let i = 0; i < sizes.length; i++) {
      for (let j = i + 1; j < sizes.length; j++) {
        const { rootHash, hashes } = await client.getConsistencyProof(sizes[i]!.size, sizes[j]!.size);
        expect(rootHash).toBe(Buffer.from(sizes[j]!.root).toString("hex"));
        expect(verifyConsistency(sizes[i]!.size, sizes[j]!.size, sizes[i]!.root, sizes[j]!.root, hashes.map((h) => fromHex(h)!))).toBe(true);
      }
    }
  });

  it("hands a range of entries over typed in-process, each as the JSON API answers it; a range past the end is refused", async () => {
    const typed = await client.getEntriesInRange(3, 9);
    const overJson = new RekorClient({ description: "JSON only", request: (m, p, b) => inProcessTransport(log).request(m, p, b) });
    expect(overJson.transport.local).toBeUndefined();
    expect(typed).toEqual(await overJson.getEntriesInRange(3, 9));
    expect(typed.map((e) => e.entry.logIndex)).toEqual([3, 4, 5, 6, 7, 8]);
    const size = (await client.getLogInfo()).treeSize;
    await expect(client.getEntriesInRange(size - 1, size + 1)).rejects.toThrow(`get entry at index ${size}: the log answered 404`);
    await expect(overJson.getEntriesInRange(size - 1, size + 1)).rejects.toThrow(`get entry at index ${size}: the log answered 404`);
  });

  it("finds entries by index, by 80- and 64-digit id, in batches, and by hash and key", async () => {
    const { id, index } = created[7]!;
    expect((await client.getEntryByIndex(index)).entryId).toBe(id);
    expect((await client.getEntry(id)).entry.logIndex).toBe(index);
    expect((await client.getEntry(id.slice(16))).entryId).toBe(id);
    const retrieved = await inProcessTransport(log).request("POST", "/api/v1/log/entries/retrieve", { entryUUIDs: [id], logIndexes: [0, 1] });
    expect(JSON.parse(retrieved.body)).toHaveLength(3);
    const byKey = await client.searchIndex({ publicKey: { format: "x509", content: Buffer.from(bob.pem).toString("base64") } });
    expect(byKey).toHaveLength(20);
    const hash = (await client.getEntry(id)).entry.body;
    const value = (JSON.parse(Buffer.from(hash, "base64").toString()) as { spec: { data: { hash: { value: string } } } }).spec.data.hash.value;
    const signerPem = Buffer.from((index % 3 ? alice : bob).pem).toString("base64");
    expect(await client.searchIndex({ hash: `sha256:${value}`, publicKey: { format: "x509", content: signerPem }, operator: "and" })).toEqual([id]);
    // Rekor's default operator is "or".
    const either = await client.searchIndex({ hash: value, publicKey: { format: "x509", content: Buffer.from(bob.pem).toString("base64") } });
    expect(either).toContain(id);
    expect(either.length).toBe(index % 3 ? 21 : 20);
    const by64 = await inProcessTransport(log).request("POST", "/api/v1/log/entries/retrieve", { entryUUIDs: [id.slice(16)] });
    expect(Object.keys((JSON.parse(by64.body) as object[])[0]!)).toEqual([id]);
  });

  it("reopening the log continues the same tree", async () => {
    const before = await client.getLogInfo();
    const again = EmbeddedLog.open(dir);
    try {
      const r = await new RekorClient(inProcessTransport(again)).createEntry(hashedRekord(alice, Buffer.from("after reopen")));
      expect(r.entry.logIndex).toBe(before.treeSize);
      const proof = await client.getConsistencyProof(before.treeSize, before.treeSize + 1);
      expect(verifyConsistency(before.treeSize, before.treeSize + 1, fromHex(before.rootHash)!, fromHex(proof.rootHash)!, proof.hashes.map((h) => fromHex(h)!))).toBe(true);
    } finally {
      again.close();
    }
  });
});

describe("embedded log: concurrent creation", () => {
  it("of several processes initialising one directory, exactly one succeeds and the log opens", async () => {
    const { spawn } = await import("node:child_process");
    const { join } = await import("node:path");
    const { ROOT } = await import("../helpers/fixtures.js");
    const target = join(tempDir("init-race"), "log");
    const codes = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [join(ROOT, "dist/cli/main.js"), "log", "init", "--log", target], { stdio: "ignore" });
        child.once("exit", resolve);
      })),
    );
    expect(codes.filter((c) => c === 0)).toHaveLength(1);
    expect(codes.filter((c) => c === 2)).toHaveLength(3);
    const opened = EmbeddedLog.open(target);
    expect(opened.current().size).toBe(0);
    opened.close();
  });
});

describe("embedded log: bad requests get a 4xx JSON error and change nothing", () => {
  const transport = inProcessTransport(log);
  const proposal = hashedRekord(alice, Buffer.from("good"));
  const bad: [string, "GET" | "POST", string, unknown, number, RegExp][] = [
    ["unknown kind", "POST", "/api/v1/log/entries", { kind: "dsse", apiVersion: "0.0.1", spec: {} }, 400, /kind 'dsse' is not supported/],
    ["unknown version", "POST", "/api/v1/log/entries", { ...proposal, apiVersion: "0.0.2" }, 400, /apiVersion/],
    ["short digest", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, data: { hash: { algorithm: "sha256", value: "abcd" } } } }, 400, /64 hex digits/],
    ["wrong digest", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, data: { hash: { algorithm: "sha256", value: "ab".repeat(32) } } } }, 400, /does not verify/],
    ["not a key", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, signature: { ...proposal.spec.signature, publicKey: { content: "aGVsbG8=" } } } }, 400, /PEM/],
    ["Ed25519 key", "POST", "/api/v1/log/entries", (() => {
      const ed = ed25519Pem();
      return { ...proposal, spec: { ...proposal.spec, signature: { ...proposal.spec.signature, publicKey: { content: Buffer.from(ed).toString("base64") } } } };
    })(), 400, /cannot verify a signature over a digest/],
    ["extra field", "POST", "/api/v1/log/entries", { ...proposal, extra: 1 }, 400, /extra/],
    ["no body", "POST", "/api/v1/log/entries", undefined, 400, /empty/],
    ["logIndex not a number", "GET", "/api/v1/log/entries?logIndex=x", undefined, 400, /logIndex/],
    ["logIndex past the end", "GET", "/api/v1/log/entries?logIndex=999999", undefined, 404, /not found/],
    ["bad uuid", "GET", "/api/v1/log/entries/zz", undefined, 400, /64 or 80/],
    ["other tree's entry id", "GET", `/api/v1/log/entries/${"0".repeat(80)}`, undefined, 404, /not found/],
    ["proof from 0", "GET", "/api/v1/log/proof?firstSize=0&lastSize=2", undefined, 400, /at least 1/],
    ["proof without lastSize", "GET", "/api/v1/log/proof?firstSize=1", undefined, 400, /lastSize/],
    ["percent-garbage uuid", "GET", "/api/v1/log/entries/%zz", undefined, 400, /64 or 80/],
    ["key PEM with trailing bytes", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, signature: { ...proposal.spec.signature, publicKey: { content: Buffer.from(`${alice.pem}junk`).toString("base64") } } } }, 400, /exactly one PEM/],
    ["a private key as the key", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, signature: { ...proposal.spec.signature, publicKey: { content: Buffer.from(alice.privateKey.export({ type: "pkcs8", format: "pem" }) as string).toString("base64") } } } }, 400, /private key/],
    ["an oversized key", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, signature: { ...proposal.spec.signature, publicKey: { content: Buffer.alloc(40000, 65).toString("base64") } } } }, 400, /exceeds/],
    ["a digest longer than the curve order (ECDSA would truncate it)", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, data: { hash: { algorithm: "sha512", value: proposal.spec.data.hash.value + "00".repeat(32) } } } }, 400, /truncate/],
    ["proof backwards", "GET", "/api/v1/log/proof?firstSize=3&lastSize=2", undefined, 400, /must be less than/],
    ["search by an unknown hash form", "POST", "/api/v1/index/retrieve", { hash: "md5:00" }, 400, /hash/],
    ["proof beyond the tree", "GET", "/api/v1/log/proof?firstSize=1&lastSize=99999", undefined, 400, /greater than what is currently observable/],
    ["too many in one retrieve", "POST", "/api/v1/log/entries/retrieve", { logIndexes: Array.from({ length: 11 }, (_, i) => i) }, 422, /at most 10/],
    ["search without criteria", "POST", "/api/v1/index/retrieve", {}, 400, /hash or publicKey/],
    ["search by email", "POST", "/api/v1/index/retrieve", { email: "a@b" }, 400, /email/],
    ["unknown endpoint", "GET", "/api/v1/nope", undefined, 404, /no such endpoint/],
    ["unknown API version", "GET", "/api/v2/log", undefined, 404, /no such endpoint/],
    ["an entry hashed with SHA-1", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, data: { hash: { algorithm: "sha1", value: "ab".repeat(20) } } } }, 400, /unsupported hash algorithm "sha1"/],
    ["an entry hashed with MD5", "POST", "/api/v1/log/entries", { ...proposal, spec: { ...proposal.spec, data: { hash: { algorithm: "md5", value: "ab".repeat(16) } } } }, 400, /unsupported hash algorithm "md5"/],
    ["search by SHA-1 (no entry can name it)", "POST", "/api/v1/index/retrieve", { hash: `sha1:${"ab".repeat(20)}` }, 400, /unsupported hash algorithm 'sha1'/],
    ["search by a bare 40-digit (SHA-1) digest", "POST", "/api/v1/index/retrieve", { hash: "ab".repeat(20) }, 400, /unsupported hash algorithm 'sha1'/],
    ["search by MD5", "POST", "/api/v1/index/retrieve", { hash: `md5:${"ab".repeat(16)}` }, 400, /unsupported hash algorithm 'md5'/],
    ["search with a prefix that does not fit the length", "POST", "/api/v1/index/retrieve", { hash: `sha256:${"ab".repeat(64)}` }, 400, /expected \[sha256:\|sha384:\|sha512:\]/],
    ["a 1024-bit RSA key", "POST", "/api/v1/log/entries", rsaProposal(1024), 400, /1024-bit RSA key: at least 2048 bits are required/],
  ];
  for (const [name, method, path, body, status, message] of bad) {
    it(name, async () => {
      const before = log.current().size;
      const res = await transport.request(method, path, body);
      expect(res.status).toBe(status);
      expect(res.header("content-type")).toBe("application/json");
      const parsed = JSON.parse(res.body) as { code: number; message: string };
      expect(parsed.code).toBe(status);
      expect(parsed.message).toMatch(message);
      expect(log.current().size).toBe(before);
    });
  }

  it("a 2048-bit RSA key is accepted", async () => {
    expect((await transport.request("POST", "/api/v1/log/entries", rsaProposal(2048))).status).toBe(201);
  });

  /** Bodies no JSON.stringify writes, and methods the transport does not send. */
  const raw: [string, string, string, string | Uint8Array | undefined, number, RegExp, string?][] = [
    ["a repeated key", "POST", "/api/v1/log/entries", `{"kind":"hashedrekord","kind":"rekord"}`, 400, /repeats the key 'kind'/],
    ["a __proto__ key", "POST", "/api/v1/index/retrieve", `{"__proto__":{"hash":"${"ab".repeat(32)}"}}`, 400, /uses the key '__proto__'/],
    ["a byte-order mark before a valid entry", "POST", "/api/v1/log/entries", `\ufeff${JSON.stringify(proposal)}`, 400, /byte-order mark/],
    ["an integer written with a fraction", "POST", "/api/v1/log/entries/retrieve", `{"logIndexes":[0.0]}`, 400, /logIndexes\[0\] as '0\.0'/],
    ["not UTF-8", "POST", "/api/v1/log/entries", Uint8Array.of(0x7b, 0xff, 0x7d), 400, /not UTF-8/],
    ["an unknown path with an unknown method", "DELETE", "/api/v1/nope", undefined, 404, /no such endpoint/],
    ["an unknown path below an entry", "DELETE", "/api/v1/log/entries/abc/proof", undefined, 404, /no such endpoint/],
    ["POST where only GET is served", "POST", "/api/v1/log", undefined, 405, /not allowed .*allowed: GET/, "GET"],
    ["DELETE on the log", "DELETE", "/api/v1/log", undefined, 405, /not allowed/, "GET"],
    ["PUT on entries", "PUT", "/api/v1/log/entries", undefined, 405, /not allowed/, "POST, GET"],
  ];
  for (const [name, method, path, sent, status, message, allow] of raw) {
    it(name, async () => {
      const before = log.current().size;
      const body = typeof sent === "string" ? Buffer.from(sent) : sent;
      const res = await handleRekorApi(log, { method, path, query: new URLSearchParams(), body, origin: "" });
      expect(res.status).toBe(status);
      const parsed = JSON.parse(res.body) as { code: number; message: string };
      expect(parsed.code).toBe(status);
      expect(parsed.message).toMatch(message);
      expect(res.headers["allow"]).toBe(allow);
      expect(log.current().size).toBe(before);
    });
  }

  it("random and mutated request bodies never crash the log (always 4xx)", async () => {
    const next = prng(99);
    const base = JSON.stringify(proposal);
    for (let i = 0; i < 400; i++) {
      let body: Uint8Array;
      if (i % 4 === 0) body = randomBytes(next, Math.floor(next() * 300));
      else {
        const chars = base.split("");
        for (let f = 0; f < 1 + Math.floor(next() * 5); f++) chars[Math.floor(next() * chars.length)] = String.fromCharCode(32 + Math.floor(next() * 95));
        body = Buffer.from(chars.join(""));
      }
      for (const path of ["/api/v1/log/entries", "/api/v1/log/entries/retrieve", "/api/v1/index/retrieve"]) {
        const res = await handleRekorApi(log, { method: "POST", path, query: new URLSearchParams(), body, origin: "" });
        expect(res.status, `${path} ${Buffer.from(body).toString()}`).toBeLessThan(500);
        expect(() => JSON.parse(res.body)).not.toThrow();
      }
    }
  });
});

/** A hashedrekord proposal signed with a fresh RSA key of `bits` (PKCS#1 v1.5, SHA-256). */
function rsaProposal(bits: number): ProposedEntry {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
  const artifact = Buffer.from(`signed with RSA-${bits}`);
  return {
    kind: "hashedrekord",
    apiVersion: "0.0.1",
    spec: {
      data: { hash: { algorithm: "sha256", value: createHash("sha256").update(artifact).digest("hex") } },
      signature: { content: sign("sha256", artifact, privateKey).toString("base64"), publicKey: { content: Buffer.from(publicKey.export({ type: "spki", format: "pem" }) as string).toString("base64") } },
    },
  };
}

/** An Ed25519 public key PEM: a key type that cannot sign a bare digest. */
function ed25519Pem(): string {
  const { generateKeyPairSync } = process.getBuiltinModule("node:crypto");
  return generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }) as string;
}
