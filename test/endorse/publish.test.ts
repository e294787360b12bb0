import { createHash, createPublicKey } from "node:crypto";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleFromJSON } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { Verifier, toSignedEntity, toTrustMaterial } from "@sigstore/verify";
import { endorseComponent } from "../../src/endorse/endorse.js";
import { EndorseError } from "../../src/endorse/errors.js";
import { generateComponentKey, type ComponentKeyPair } from "../../src/keys/component-keys.js";
import { hashedRekordFor } from "../../src/endorse/publish.js";
import { publishEndorsement } from "../../src/verify/endorsement/publish-gate.js";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { RekorClient, httpTransport, type Transport } from "../../src/tlog/client.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { EmbeddedLog, initLog } from "../../src/tlog/embedded/log.js";
import { trustedRootFor } from "../../src/tlog/trusted-root.js";
import type { TrustedLogKey } from "../../src/tlog/keys.js";
import { ROOT } from "../helpers/fixtures.js";
import { scratchSpace } from "../helpers/tlog.js";
import { faultyFront, type FaultyFront, type FrontAction } from "../helpers/faulty-front.js";

const values = ReferenceValues.parse(JSON.parse(readFileSync(join(ROOT, "reference-values/2026.11.0.json"), "utf8")));
const NS = 1_000_000_000n;
// Whole seconds, a minute in the past: the log's integration time (whole seconds, now) must fall in the validity.
const issuedOn = (BigInt(Date.now()) / 1000n - 60n) * NS;
const times = { issuedOn, notBefore: issuedOn, notAfter: issuedOn + 365n * 86_400n * NS };

const { cleanup, scratch } = scratchSpace();

interface Signed {
  readonly dir: string;
  readonly key: ComponentKeyPair;
  readonly component: string;
}

/** A fresh signed component folder (endorsement.json, .sig, public_key.pem) for the n-th component of the release. */
function signedFolder(n = 0): Signed {
  const out = scratch("publish-endorsements");
  const component = values.components[n]!;
  const key = generateComponentKey();
  const { dir } = endorseComponent(out, values.release, component, key, times);
  return { dir, key, component: component.name };
}

interface TestLog {
  readonly log: EmbeddedLog;
  readonly dir: string;
  readonly client: RekorClient;
  readonly trusted: TrustedLogKey;
}

function newLog(name = "publish.test.example"): TestLog {
  const dir = scratch("publish-log");
  initLog(dir, name);
  const log = EmbeddedLog.open(dir);
  cleanup.push(() => log.close());
  return { log, dir, client: new RekorClient(inProcessTransport(log)), trusted: { identity: log.identity, name: log.name, source: `test log ${dir}` } };
}

const file = (dir: string, name: string) => join(dir, name);
const read = (dir: string, name: string) => readFileSync(file(dir, name));
const sha256 = (data: Uint8Array) => createHash("sha256").update(data).digest();

/** Runs `fn` and returns the EndorseError it throws (fails the test if it throws nothing or something else). */
async function rejection(fn: () => Promise<unknown>): Promise<EndorseError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EndorseError);
    return err as EndorseError;
  }
  throw new Error("expected publishEndorsement to be refused");
}

/** A transport that records every exchange (method, path, status) of another. */
function recording(inner: Transport): Transport & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    description: inner.description,
    async request(method, path, body) {
      const res = await inner.request(method, path, body);
      seen.push(`${method} ${path.replace(/[0-9a-f]{80}$/, "ID")} ${res.status}`);
      return res;
    },
  };
}

/** @sigstore/verify's verifier trusting exactly this log (by key and checkpoint name) and this component key. */
function sigstoreVerifier(t: TestLog, key: ComponentKeyPair): Verifier {
  const root = TrustedRoot.fromJSON(trustedRootFor(t.log.identity, `https://${t.log.name}`, 0n));
  const hint = createHash("sha256").update(key.publicKey.export({ type: "spki", format: "der" })).digest("base64");
  const trust = toTrustMaterial(root, (h: string) => {
    if (h !== hint) throw new Error(`unexpected key hint ${h}`);
    return { publicKey: key.publicKey, validFor: () => true };
  });
  return new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 });
}

function verifyBundle(t: TestLog, s: Signed, statement: Uint8Array = read(s.dir, "endorsement.json")): void {
  const bundle = bundleFromJSON(JSON.parse(read(s.dir, "endorsement.sigstore.json").toString("utf8")));
  sigstoreVerifier(t, s.key).verify(toSignedEntity(bundle, Buffer.from(statement)));
}

function onlyEntry(dir: string): [string, { body: string; logID: string; logIndex: number; integratedTime: number; verification: { signedEntryTimestamp: string } }] {
  const parsed = JSON.parse(read(dir, "logentry.json").toString("utf8")) as Record<string, never>;
  const entries = Object.entries(parsed);
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

describe("publishEndorsement to an embedded log (in-process)", () => {
  const t = newLog();
  const s = signedFolder();

  it("logs a hashedrekord of endorsement.json and writes logentry.json with the 80-hex entry id", async () => {
    const result = await publishEndorsement(s.dir, t.client, t.trusted);
    expect(result.status).toBe("logged");
    expect(t.log.info().treeSize).toBe(1);

    const [entryId, entry] = onlyEntry(s.dir);
    expect(entryId).toMatch(/^[0-9a-f]{80}$/);
    expect(result.entryId).toBe(entryId);
    expect(entry.logIndex).toBe(0);
    expect(result.logIndex).toBe(0);
    expect(entry.logID).toBe(t.log.identity.logId);

    // The id is the tree id then the RFC 6962 leaf hash of the body, computed here independently.
    const body = Buffer.from(entry.body, "base64");
    expect(entryId.slice(0, 16)).toBe(t.log.treeId.toString(16).padStart(16, "0"));
    expect(entryId.slice(16)).toBe(sha256(Buffer.concat([Buffer.from([0]), body])).toString("hex"));

    const decoded = JSON.parse(body.toString("utf8")) as {
      kind: string;
      apiVersion: string;
      spec: { data: { hash: { algorithm: string; value: string } }; signature: { content: string; publicKey: { content: string } } };
    };
    expect(decoded.kind).toBe("hashedrekord");
    expect(decoded.apiVersion).toBe("0.0.1");
    expect(decoded.spec.data.hash).toEqual({ algorithm: "sha256", value: sha256(read(s.dir, "endorsement.json")).toString("hex") });
    expect(Buffer.from(decoded.spec.signature.content, "base64").equals(read(s.dir, "endorsement.json.sig"))).toBe(true);
    const loggedKey = createPublicKey(Buffer.from(decoded.spec.signature.publicKey.content, "base64").toString("utf8"));
    expect(loggedKey.export({ type: "spki", format: "der" }).equals(s.key.publicKey.export({ type: "spki", format: "der" }))).toBe(true);
    // What the result reports is what was logged.
    expect(result.integratedTime).toBe(new Date(entry.integratedTime * 1000).toISOString().replace(".000Z", "Z"));
  });

  it("writes a Sigstore bundle v0.3 that @sigstore/verify accepts for the statement, and only for it", () => {
    const json = JSON.parse(read(s.dir, "endorsement.sigstore.json").toString("utf8")) as { mediaType: string; messageSignature: { messageDigest: { digest: string }; signature: string } };
    expect(json.mediaType).toBe("application/vnd.dev.sigstore.bundle.v0.3+json");
    expect(Buffer.from(json.messageSignature.messageDigest.digest, "base64").equals(sha256(read(s.dir, "endorsement.json")))).toBe(true);
    expect(Buffer.from(json.messageSignature.signature, "base64").equals(read(s.dir, "endorsement.json.sig"))).toBe(true);
    expect(() => verifyBundle(t, s)).not.toThrow();

    const statement = read(s.dir, "endorsement.json");
    const tampered = Buffer.from(statement.toString("utf8").replace(s.component, `${s.component}-evil`));
    expect(tampered.equals(statement)).toBe(false);
    expect(() => verifyBundle(t, s, tampered)).toThrow();
    // A verifier trusting another log refuses the bundle too.
    const other = newLog();
    expect(() => verifyBundle(other, s)).toThrow();
  });
});

describe("publishEndorsement is idempotent", () => {
  const t = newLog();
  const s = signedFolder();

  it("a second publish reports unchanged, logs nothing and rewrites nothing", async () => {
    const first = await publishEndorsement(s.dir, t.client, t.trusted);
    expect(first.status).toBe("logged");
    const entryBefore = read(s.dir, "logentry.json");
    const bundleBefore = read(s.dir, "endorsement.sigstore.json");
    // Files are replaced by rename when written: same inodes mean they were not written again.
    const inodes = () => [statSync(file(s.dir, "logentry.json")).ino, statSync(file(s.dir, "endorsement.sigstore.json")).ino];
    const inodesBefore = inodes();
    const seen = recording(t.client.transport);
    const again = await publishEndorsement(s.dir, new RekorClient(seen), t.trusted);
    expect(again).toEqual({ ...first, status: "unchanged", bundle: "kept" });
    expect(seen.seen).toEqual([]); // settled offline: the log is not even asked
    expect(t.log.info().treeSize).toBe(1);
    expect(read(s.dir, "logentry.json").equals(entryBefore)).toBe(true);
    expect(read(s.dir, "endorsement.sigstore.json").equals(bundleBefore)).toBe(true);
    expect(inodes()).toEqual(inodesBefore);
  });

  it("a deleted bundle is rewritten, identical, from logentry.json without a new entry", async () => {
    const bundleBefore = read(s.dir, "endorsement.sigstore.json");
    rmSync(file(s.dir, "endorsement.sigstore.json"));
    const result = await publishEndorsement(s.dir, t.client, t.trusted);
    expect(result.status).toBe("unchanged");
    expect(t.log.info().treeSize).toBe(1);
    expect(read(s.dir, "endorsement.sigstore.json").equals(bundleBefore)).toBe(true);
  });

  it("a deleted logentry.json is recovered from the log (409) with the same entry, and nothing new is logged", async () => {
    const [idBefore, entryBefore] = onlyEntry(s.dir);
    // Another entry first, so the recovered inclusion proof is for a larger tree than the first one.
    await publishEndorsement(signedFolder(1).dir, t.client, t.trusted);
    expect(t.log.info().treeSize).toBe(2);

    rmSync(file(s.dir, "logentry.json"));
    const seen = recording(t.client.transport);
    const result = await publishEndorsement(s.dir, new RekorClient(seen), t.trusted);
    expect(result.status).toBe("existing");
    expect(seen.seen).toEqual(["POST /api/v1/log/entries 409", "GET /api/v1/log/entries/ID 200"]);
    expect(t.log.info().treeSize).toBe(2);

    const [id, entry] = onlyEntry(s.dir);
    expect(id).toBe(idBefore);
    expect(result.entryId).toBe(idBefore);
    expect({ body: entry.body, logIndex: entry.logIndex, integratedTime: entry.integratedTime, set: entry.verification.signedEntryTimestamp }).toEqual({
      body: entryBefore.body,
      logIndex: entryBefore.logIndex,
      integratedTime: entryBefore.integratedTime,
      set: entryBefore.verification.signedEntryTimestamp,
    });
    // The bundle is rewritten with the entry as now recovered (proof in the tree of 2), and verifies.
    const bundle = JSON.parse(read(s.dir, "endorsement.sigstore.json").toString("utf8")) as { verificationMaterial: { tlogEntries: { inclusionProof: { treeSize: string } }[] } };
    expect(bundle.verificationMaterial.tlogEntries[0]!.inclusionProof.treeSize).toBe("2");
    expect(() => verifyBundle(t, s)).not.toThrow();
    expect((await publishEndorsement(s.dir, t.client, t.trusted)).status).toBe("unchanged");
  });
});

describe("publishEndorsement refuses", () => {
  const t = newLog();

  const breakages: [string, (s: Signed) => void][] = [
    ["a statement changed after signing", (s) => writeFileSync(file(s.dir, "endorsement.json"), read(s.dir, "endorsement.json").toString("utf8").replace('"issuedOn"', '"issuedOn" '))],
    ["a signature by another key", (s) => writeFileSync(file(s.dir, "public_key.pem"), generateComponentKey().publicKey.export({ type: "spki", format: "pem" }))],
    ["a truncated signature", (s) => writeFileSync(file(s.dir, "endorsement.json.sig"), read(s.dir, "endorsement.json.sig").subarray(0, 20))],
    ["a missing signature", (s) => rmSync(file(s.dir, "endorsement.json.sig"))],
  ];
  it.each(breakages)("a folder with %s (ENDORSEMENT_INVALID), writing and logging nothing", async (_what, breakIt) => {
    const s = signedFolder();
    breakIt(s);
    const seen = recording(t.client.transport);
    const err = await rejection(() => publishEndorsement(s.dir, new RekorClient(seen), t.trusted));
    expect(err.code).toBe("ENDORSEMENT_INVALID");
    expect(seen.seen).toEqual([]);
    expect(t.log.info().treeSize).toBe(0);
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
    expect(existsSync(file(s.dir, "endorsement.sigstore.json"))).toBe(false);
  });

  it("a logentry.json from another log (PUBLISH_FAILED), leaving it and the bundle untouched", async () => {
    const s = signedFolder();
    const a = newLog("log-a.example");
    const b = newLog("log-b.example");
    expect((await publishEndorsement(s.dir, a.client, a.trusted)).status).toBe("logged");
    const entryBefore = read(s.dir, "logentry.json");
    const bundleBefore = read(s.dir, "endorsement.sigstore.json");
    const err = await rejection(() => publishEndorsement(s.dir, b.client, b.trusted));
    expect(err.code).toBe("PUBLISH_FAILED");
    expect(err.subject).toBe(file(s.dir, "logentry.json"));
    expect(err.message).toMatch(/logged elsewhere/);
    expect(b.log.info().treeSize).toBe(0);
    expect(read(s.dir, "logentry.json").equals(entryBefore)).toBe(true);
    expect(read(s.dir, "endorsement.sigstore.json").equals(bundleBefore)).toBe(true);
  });

  it("a log whose answers do not verify against the trusted key (PUBLISH_FAILED), writing nothing", async () => {
    const s = signedFolder();
    const impostor = newLog();
    const err = await rejection(() => publishEndorsement(s.dir, t.client, { ...t.trusted, identity: impostor.log.identity }));
    expect(err.code).toBe("PUBLISH_FAILED");
    expect(err.message).toMatch(/does not verify/);
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
    expect(existsSync(file(s.dir, "endorsement.sigstore.json"))).toBe(false);
    // The entry did reach the log; publishing with the right key picks it up.
    expect(t.log.info().treeSize).toBe(1);
    expect((await publishEndorsement(s.dir, t.client, t.trusted)).status).toBe("existing");
    expect(t.log.info().treeSize).toBe(1);
  });

  it("a checkpoint signed under another log name (PUBLISH_FAILED), writing nothing", async () => {
    const s = signedFolder();
    const size = t.log.info().treeSize;
    const err = await rejection(() => publishEndorsement(s.dir, t.client, { ...t.trusted, name: "other.example" }));
    expect(err.code).toBe("PUBLISH_FAILED");
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
    expect(t.log.info().treeSize).toBe(size + 1);
  });

  it("a log that answers with a genuine entry for something else (PUBLISH_FAILED), writing nothing", async () => {
    const decoy = signedFolder(2);
    const decoyEntry = hashedRekordFor({
      statement: read(decoy.dir, "endorsement.json"),
      signature: read(decoy.dir, "endorsement.json.sig"),
      publicKeyPem: read(decoy.dir, "public_key.pem").toString("utf8"),
    });
    const inner = t.client.transport;
    const swapping: Transport = { description: "swapping log", request: (method, path, body) => inner.request(method, path, method === "POST" ? decoyEntry : body) };
    for (const status of ["logged", "existing"]) {
      const s = signedFolder();
      const err = await rejection(() => publishEndorsement(s.dir, new RekorClient(swapping), t.trusted));
      expect(err.code, status).toBe("PUBLISH_FAILED");
      expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
      expect(existsSync(file(s.dir, "endorsement.sigstore.json"))).toBe(false);
    }
  });

  it("a log whose inclusion proof does not lead to its checkpoint (PUBLISH_FAILED), writing nothing", async () => {
    // Entries enough for the proof to have hashes.
    for (const n of [1, 2, 3]) await publishEndorsement(signedFolder(n).dir, t.client, t.trusted);
    const inner = t.client.transport;
    const lying: Transport = {
      description: "lying log",
      async request(method, path, body) {
        const res = await inner.request(method, path, body);
        if (res.status !== 201) return res;
        const parsed = JSON.parse(res.body) as Record<string, { verification: { inclusionProof: { hashes: string[] } } }>;
        const hashes = Object.values(parsed)[0]!.verification.inclusionProof.hashes;
        expect(hashes.length).toBeGreaterThan(0);
        hashes[0] = (hashes[0]![0] === "0" ? "1" : "0") + hashes[0]!.slice(1);
        return { ...res, body: JSON.stringify(parsed) };
      },
    };
    const s = signedFolder();
    const err = await rejection(() => publishEndorsement(s.dir, new RekorClient(lying), t.trusted));
    expect(err.code).toBe("PUBLISH_FAILED");
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
    // The honest answer for the same entry is accepted.
    expect((await publishEndorsement(s.dir, t.client, t.trusted)).status).toBe("existing");
  });
});

/** A faulty HTTP front of the log, closed after the test file. */
async function front(log: EmbeddedLog, plan: (n: number) => FrontAction): Promise<FaultyFront> {
  const f = await faultyFront(log, plan);
  cleanup.push(f.close);
  return f;
}

const POST = "POST /api/v1/log/entries";

describe("publishEndorsement over HTTP (httpTransport against a faulty front of the embedded log)", () => {
  it.each([503, 429, 408, "reset"] as const)("retries after %s twice and then succeeds", async (fault) => {
    const t = newLog();
    const f = await front(t.log, (n) => (n <= 2 ? fault : "forward"));
    const s = signedFolder();
    const result = await publishEndorsement(s.dir, new RekorClient(httpTransport(f.url, { retries: 3, backoffMs: 5, timeoutMs: 5_000 })), t.trusted);
    expect(result.status).toBe("logged");
    expect(f.requests).toEqual([POST, POST, POST]);
    expect(t.log.info().treeSize).toBe(1);
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(true);
    expect(() => verifyBundle(t, s)).not.toThrow();
    await f.close();
  });

  it("gives up after its retries on persistent 503s, naming the attempts, and writes nothing", async () => {
    const t = newLog();
    const f = await front(t.log, () => 503);
    const s = signedFolder();
    const err = await rejection(() => publishEndorsement(s.dir, new RekorClient(httpTransport(f.url, { retries: 2, backoffMs: 5 })), t.trusted));
    expect(err.code).toBe("PUBLISH_FAILED");
    expect(err.subject).toBe(s.dir);
    expect(err.message).toContain("3 attempt(s)");
    expect(err.message).toContain("HTTP 503");
    expect(f.requests).toEqual([POST, POST, POST]);
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
    expect(existsSync(file(s.dir, "endorsement.sigstore.json"))).toBe(false);
    await f.close();
  });

  it("times out every attempt of a server that never answers, then fails, writing nothing", async () => {
    const t = newLog();
    const f = await front(t.log, () => "hang");
    const s = signedFolder();
    const started = performance.now();
    const err = await rejection(() => publishEndorsement(s.dir, new RekorClient(httpTransport(f.url, { timeoutMs: 300, retries: 1, backoffMs: 10 })), t.trusted));
    const elapsed = performance.now() - started;
    expect(err.code).toBe("PUBLISH_FAILED");
    expect(err.message).toContain("no answer within 300 ms");
    expect(err.message).toContain("2 attempt(s)");
    expect(f.requests).toEqual([POST, POST]);
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(5_000);
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
    expect(t.log.info().treeSize).toBe(0);
    await f.close();
  });

  it("retries an attempt that timed out and succeeds on the next", async () => {
    const t = newLog();
    const f = await front(t.log, (n) => (n === 1 ? "hang" : "forward"));
    const s = signedFolder();
    const result = await publishEndorsement(s.dir, new RekorClient(httpTransport(f.url, { timeoutMs: 300, retries: 1, backoffMs: 10 })), t.trusted);
    expect(result.status).toBe("logged");
    expect(f.requests).toEqual([POST, POST]);
    await f.close();
  });

  it.each([400, 404, 422])("does not retry a %s", async (status) => {
    const t = newLog();
    const f = await front(t.log, () => status);
    const s = signedFolder();
    const err = await rejection(() => publishEndorsement(s.dir, new RekorClient(httpTransport(f.url, { retries: 3, backoffMs: 5 })), t.trusted));
    expect(err.code).toBe("PUBLISH_FAILED");
    expect(err.message).toContain(`answered ${status}: injected ${status}`);
    expect(f.requests).toEqual([POST]);
    expect(existsSync(file(s.dir, "logentry.json"))).toBe(false);
    await f.close();
  });

  it("recovers an existing entry through Rekor's 409 and absolute Location", async () => {
    const t = newLog();
    const f = await front(t.log, () => "forward");
    const s = signedFolder();
    const client = new RekorClient(httpTransport(f.url, { retries: 0 }));
    const first = await publishEndorsement(s.dir, client, t.trusted);
    rmSync(file(s.dir, "logentry.json"));
    const again = await publishEndorsement(s.dir, client, t.trusted);
    expect(again).toEqual({ ...first, status: "existing" });
    expect(f.requests).toEqual([POST, POST, `GET /api/v1/log/entries/${first.entryId}`]);
    expect(t.log.info().treeSize).toBe(1);
    await f.close();
  });
});
