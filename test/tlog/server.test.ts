import { createHash, createPublicKey, sign } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MessageSignatureBundleBuilder, RekorWitness } from "@sigstore/sign";
import { Verifier, toSignedEntity, toTrustMaterial } from "@sigstore/verify";
import { bundleFromJSON, bundleToJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { RekorClient, httpTransport } from "../../src/tlog/client.js";
import { EmbeddedLog, initLog, logPaths } from "../../src/tlog/embedded/log.js";
import { spkiDer } from "../../src/keys/component-keys.js";
import { logIdentity } from "../../src/tlog/keys.js";
import { verifyLogEntry } from "../../src/tlog/verify-entry.js";
import { MAX_REQUEST_BYTES, serveLog, type LogServer } from "../../src/tlog/embedded/server.js";
import { HALF_BODY, HALF_HEADERS, rawConnection, refused, until, within } from "../helpers/raw-http.js";
import { serveLogProcess, type ServedLog } from "../helpers/serve.js";
import { hashedRekord, newSigner, tempDir } from "../helpers/tlog.js";

const NAME = "http.test.example";
const dir = tempDir("serve");
initLog(dir, NAME);
const identity = logIdentity(createPublicKey(readFileSync(logPaths(dir).publicKey)));
let served: ServedLog;
beforeAll(async () => {
  served = await serveLogProcess(dir);
});
afterAll(async () => {
  await served.stop();
});

const signer = newSigner();
const hint = createHash("sha256").update(spkiDer(signer.publicKey)).digest("base64");

/** Sigstore trust material for the embedded log: its key and a base URL containing its checkpoint name. */
function trustMaterial() {
  const root = TrustedRoot.fromJSON({
    mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    tlogs: [
      {
        baseUrl: `https://${NAME}`,
        hashAlgorithm: "SHA2_256",
        publicKey: { rawBytes: Buffer.from(spkiDer(identity.publicKey)).toString("base64"), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start: "2020-01-01T00:00:00Z" } },
        logId: { keyId: Buffer.from(identity.logId, "hex").toString("base64") },
      },
    ],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  return toTrustMaterial(root, {
    [hint]: { rawBytes: Buffer.from(spkiDer(signer.publicKey)), keyDetails: "PKIX_ECDSA_P256_SHA_256", validFor: { start: new Date("2020-01-01T00:00:00Z") } },
  } as never);
}

async function sigstoreBundle(artifact: Buffer) {
  const builder = new MessageSignatureBundleBuilder({
    signer: { sign: async (data: Buffer) => ({ signature: sign("sha256", data, signer.privateKey), key: { $case: "publicKey", publicKey: signer.pem, hint } }) },
    witnesses: [new RekorWitness({ rekorBaseURL: served.url, fetchOnConflict: true })],
  });
  return bundleToJSON(await builder.create({ data: artifact }));
}

describe("reftrail log serve: Rekor v1 over HTTP", () => {
  it("@sigstore/sign's builder with a Rekor witness pointed at the embedded log yields a bundle @sigstore/verify accepts", async () => {
    // Entries before it, so its inclusion proof has hashes to tamper with.
    const client = new RekorClient(httpTransport(served.url));
    for (const i of [1, 2, 3]) await client.createEntry(hashedRekord(signer, Buffer.from(`earlier ${i}`)));
    const artifact = Buffer.from("artifact published through sigstore-js");
    const json = await sigstoreBundle(artifact);
    const tle = json.verificationMaterial.tlogEntries[0]!;
    expect(tle.kindVersion).toEqual({ kind: "hashedrekord", version: "0.0.1" });
    expect(tle.inclusionPromise?.signedEntryTimestamp).toBeTruthy();
    expect(tle.inclusionProof?.checkpoint?.envelope).toContain(`${NAME} - `);
    const verifier = new Verifier(trustMaterial(), { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 });
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(json), artifact))).not.toThrow();
    // The same bundle for another artifact, or with a flipped proof hash, is refused.
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(json), Buffer.from("other")))).toThrow();
    const tampered = structuredClone(json);
    const hashes = tampered.verificationMaterial.tlogEntries[0]!.inclusionProof!.hashes;
    expect(hashes.length).toBeGreaterThan(0);
    hashes[0] = Buffer.from(Buffer.from(hashes[0]!, "base64").map((b, i) => (i === 0 ? b ^ 1 : b))).toString("base64");
    expect(() => verifier.verify(toSignedEntity(bundleFromJSON(tampered), artifact))).toThrow(/TLOG_INCLUSION_PROOF_ERROR|root hash/);
  });

  it("the sigstore-js witness reuses an existing entry on 409", async () => {
    const artifact = Buffer.from("published twice");
    const first = await sigstoreBundle(artifact);
    const client = new RekorClient(httpTransport(served.url));
    // A second bundle of the same artifact carries a fresh ECDSA signature, hence a new entry;
    // resubmitting the first entry's exact proposal is what yields 409.
    const body = JSON.parse(Buffer.from(first.verificationMaterial.tlogEntries[0]!.canonicalizedBody, "base64").toString());
    const again = await client.createEntry(body);
    expect(again.created).toBe(false);
    expect(String(again.entry.logIndex)).toBe(first.verificationMaterial.tlogEntries[0]!.logIndex);
  });

  it("the reftrail client verifies what the server returns, with many concurrent clients", async () => {
    const client = new RekorClient(httpTransport(served.url));
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => client.createEntry(hashedRekord(signer, Buffer.from(`concurrent ${i}`)))));
    const indexes = new Set(results.map((r) => r.entry.logIndex));
    expect(indexes.size).toBe(100);
    for (const r of results) verifyLogEntry(r.entryId, r.entry, { identity, name: NAME });
  });

  it("answers malformed HTTP with 4xx and keeps serving", async () => {
    const huge = await fetch(`${served.url}/api/v1/log/entries`, { method: "POST", body: "x".repeat(MAX_REQUEST_BYTES + 1) });
    expect(huge.status).toBe(413);
    expect(huge.headers.get("connection")).toBe("close");
    const junk = await fetch(`${served.url}/api/v1/log/entries`, { method: "POST", body: "{not json" });
    expect(junk.status).toBe(400);
    expect(((await junk.json()) as { code: number }).code).toBe(400);
    const info = await fetch(`${served.url}/api/v1/log`);
    expect(info.status).toBe(200);
    const key = await fetch(`${served.url}/api/v1/log/publicKey`);
    expect(await key.text()).toBe(readFileSync(logPaths(dir).publicKey, "utf8"));
    expect(await new RekorClient(httpTransport(served.url)).getPublicKey()).toBe(readFileSync(logPaths(dir).publicKey, "utf8"));
    // Below the HTTP layer: an unknown method and overlong headers get JSON errors too.
    const { connect } = await import("node:net");
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const url = new URL(served.url);
        const socket = connect(Number(url.port), url.hostname, () => socket.end(text));
        let out = "";
        socket.on("data", (d: Buffer) => (out += d.toString()));
        socket.on("close", () => resolve(out));
      });
    expect(await raw("FOO / HTTP/1.1\r\nhost: x\r\n\r\n")).toMatch(/^HTTP\/1\.1 400[^]*\r\n\r\n\{"code":400,"message":"malformed HTTP request"\}/);
    expect(await raw(`GET /api/v1/log HTTP/1.1\r\nx: ${"a".repeat(20000)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431[^]*"code":431/);
  });
});

describe("bounded load on loopback", () => {
  it("1000 appends from 16 concurrent clients all succeed, each at its own index", async () => {
    const client = new RekorClient(httpTransport(served.url));
    const before = (await client.getLogInfo()).treeSize;
    let next = 0;
    const indexes: number[] = [];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 1000) {
          const n = next++;
          const r = await client.createEntry(hashedRekord(signer, Buffer.from(`load ${n}`)));
          expect(r.created).toBe(true);
          indexes.push(r.entry.logIndex);
        }
      }),
    );
    expect(new Set(indexes).size).toBe(1000);
    expect((await client.getLogInfo()).treeSize).toBe(before + 1000);
  });
});

describe("slow requests are cut off with a 408 JSON answer", () => {
  // In process, with short limits: the same server code as `log serve`, which uses the defaults.
  const logDir = tempDir("serve-408");
  initLog(logDir);
  const log = EmbeddedLog.open(logDir);
  let server: LogServer;
  beforeAll(async () => {
    server = await serveLog(log, "127.0.0.1", 0, { headersTimeoutMs: 300, requestTimeoutMs: 600, timeoutCheckMs: 50 });
  });
  afterAll(async () => {
    await server.close();
    log.close();
  });
  it.each([
    ["headers", HALF_HEADERS],
    ["body", HALF_BODY],
  ])("half-sent %s: 408 {code, message}, then the connection is closed", async (_, partial) => {
    const connection = await rawConnection(server.url);
    connection.write(partial);
    const answer = await within(10_000, "408 answer", connection.closed);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    expect(JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4))).toEqual({ code: 408, message: "request timed out" });
  });
  it("with the defaults of log serve, half-sent headers are cut off after 10 s, not at Node's 30 s check", async () => {
    const connection = await rawConnection(served.url);
    connection.write(HALF_HEADERS);
    expect(await within(20_000, "408 answer", connection.closed)).toMatch(/^HTTP\/1\.1 408 [^]*"code":408/);
  });
});

describe("log serve ends on SIGTERM or SIGINT within its grace period, whatever clients hold open", () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  /** A served log with one connection that first completed a request (so the server holds it) and then sent `then`. */
  async function servedWithConnection(then: string) {
    const logDir = tempDir("serve-stop");
    initLog(logDir);
    const served = await serveLogProcess(logDir);
    const connection = await rawConnection(served.url);
    connection.write("GET /api/v1/log HTTP/1.1\r\nhost: localhost\r\n\r\n");
    await until(10_000, "first answer", () => /"treeSize":0[^]*\n$/.test(connection.received()));
    connection.write(then);
    // Let the server read the partial request before the signal (a wait, not a timing claim).
    await sleep(300);
    return { logDir, served, connection };
  }
  it.each([
    ["SIGTERM", "half-sent headers", HALF_HEADERS],
    ["SIGTERM", "a half-sent body", HALF_BODY],
    ["SIGINT", "a half-sent body", HALF_BODY],
    ["SIGTERM", "an idle keep-alive connection", ""],
  ] as const)("%s with %s: exit 0, the connection closed, the database closed cleanly", async (signal, _, then) => {
    const { logDir, served, connection } = await servedWithConnection(then);
    served.process.kill(signal);
    expect(await within(10_000, "log serve exit", served.exited)).toBe(0);
    await within(10_000, "connection close", connection.closed);
    expect(served.stderr()).toBe("");
    // The last connection's close checkpoints the WAL into log.db and removes it.
    expect(existsSync(`${logPaths(logDir).database}-wal`)).toBe(false);
  });
  it("with clients appending: exit 0, and every acknowledged entry is in the log at its index", async () => {
    const logDir = tempDir("serve-stop-load");
    initLog(logDir);
    const served = await serveLogProcess(logDir);
    const client = new RekorClient(httpTransport(served.url, { retries: 0, timeoutMs: 10_000 }));
    const acks: { id: string; index: number }[] = [];
    let n = 0;
    const writer = async () => {
      for (;;) {
        try {
          const r = await client.createEntry(hashedRekord(signer, Buffer.from(`appended while stopping ${n++}`)));
          acks.push({ id: r.entryId, index: r.entry.logIndex });
        } catch {
          return; // refused or cut off by the shutdown: never acknowledged
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    await until(10_000, "some entries logged", () => acks.length >= 20);
    served.process.kill("SIGTERM");
    expect(await within(10_000, "log serve exit", served.exited)).toBe(0);
    await within(10_000, "writers stop", Promise.all(writers));
    const reopened = EmbeddedLog.open(logDir);
    try {
      for (const ack of acks) expect(reopened.entryId(reopened.entryByIndex(ack.index)!.leaf)).toBe(ack.id);
      expect(reopened.info().treeSize).toBeGreaterThanOrEqual(acks.length);
    } finally {
      reopened.close();
    }
  });
  it("a request under way when the signal comes is answered (connection: close) and its entry is kept", async () => {
    const body = JSON.stringify(hashedRekord(signer, Buffer.from("logged during shutdown")));
    const head = `POST /api/v1/log/entries HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`;
    const { logDir, served, connection } = await servedWithConnection(head + body.slice(0, 100));
    served.process.kill("SIGTERM");
    // Once it no longer accepts connections it is closing; the rest of the body still arrives in time.
    await until(10_000, "listener closed", () => refused(served.url));
    connection.write(body.slice(100));
    const answer = await within(10_000, "answer", connection.closed);
    expect(answer).toMatch(/HTTP\/1\.1 201 Created\r\n[^]*connection: close\r\n/i);
    expect(await within(10_000, "log serve exit", served.exited)).toBe(0);
    const reopened = EmbeddedLog.open(logDir);
    try {
      expect(reopened.info().treeSize).toBe(1);
    } finally {
      reopened.close();
    }
  });
});
