import { createHash, createPublicKey, generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keyIdOf } from "../../../src/keys/component-keys.js";
import { componentStatement, statementBytes } from "../../../src/endorse/statement.js";
import { ReferenceValues } from "../../../src/schema/reference-values.js";
import { leafHash } from "../../../src/tlog/merkle.js";
import { signSet } from "../../../src/tlog/set.js";
import { messageSignatureBundle } from "../../../src/tlog/bundle.js";
import { loggedFromBundle, loggedFromLogEntry } from "../../../src/tlog/read-logged.js";
import type { EndorsementPolicy } from "../../../src/verify/endorsement/policy.js";
import { verifyEndorsement } from "../../../src/verify/endorsement/verifier.js";
import { canonicalJson } from "../../../src/util/canonical-json.js";
import { NS_PER_SECOND, parseRfc3339 } from "../../../src/util/rfc3339.js";
import { logIdentity } from "../../../src/tlog/keys.js";
import { ROOT } from "../../helpers/fixtures.js";
import { keyPolicy, logged, oakTestdata, PUBLIC_GOOD, testLog } from "../../helpers/endorse.js";

const values = ReferenceValues.parse(JSON.parse(readFileSync(join(ROOT, "reference-values/2026.11.0.json"), "utf8")));
const kernel = values.components.find((c) => c.kind === "kernel")!;
const DAY = 86_400n * NS_PER_SECOND;
const nowNs = () => BigInt(Date.now()) * 1_000_000n;
const newKey = () => generateKeyPairSync("ec", { namedCurve: "P-256" });

const t = testLog();
afterAll(() => t.close());

function reftrailStatement(notBefore = nowNs() - DAY, notAfter = nowNs() + 30n * DAY): Uint8Array {
  return statementBytes(componentStatement(values.release, kernel, { issuedOn: notBefore, notBefore, notAfter }));
}

/** A statement given as raw JSON text, signed as is (for the statement-format checks). */
function rawStatement(mutate: (s: Record<string, unknown>) => void): Uint8Array {
  const s = JSON.parse(Buffer.from(reftrailStatement()).toString("utf8")) as Record<string, unknown>;
  mutate(s);
  return Buffer.from(JSON.stringify(s, null, 2));
}

describe("checks on our own log's entries", () => {
  it("a reftrail endorsement verifies end to end; the summary names component, key and tree", async () => {
    const key = newKey();
    const evidence = await logged(t, reftrailStatement(), key);
    const verdict = verifyEndorsement(evidence, keyPolicy(key.publicKey, [t.trusted], nowNs() + 1000n * NS_PER_SECOND));
    expect(verdict.failure).toBeUndefined();
    expect(verdict.endorsement?.component).toBe("linux-cloud");
    expect(verdict.endorsement?.keyId).toBe(keyIdOf(key.publicKey));
    expect(verdict.logEntry?.treeId).toBe(t.log.treeId.toString());
    expect(verdict.checks.find((c) => c.check === "STATEMENT_TYPE")?.detail).toContain("reftrail");
  });

  it("BODY_KEY: an entry for the same statement logged under another key (Oak's tlog-bypass case)", async () => {
    const statement = reftrailStatement();
    const component = newKey();
    const intruder = newKey();
    const evidence = await logged(t, statement, intruder, sign("sha256", statement, component.privateKey));
    expect(verifyEndorsement(evidence, keyPolicy(component.publicKey, [t.trusted], nowNs())).failure?.check).toBe("BODY_KEY");
  });

  it("BODY_SIGNATURE: the logged signature is another valid signature than the one presented", async () => {
    const statement = reftrailStatement();
    const key = newKey();
    // ECDSA is randomised: a second signature over the same bytes is different and also valid.
    const evidence = await logged(t, statement, key, sign("sha256", statement, key.privateKey));
    expect(verifyEndorsement(evidence, keyPolicy(key.publicKey, [t.trusted], nowNs())).failure?.check).toBe("BODY_SIGNATURE");
  });

  it("BODY_HASH: the entry logs another statement", async () => {
    const key = newKey();
    const presented = reftrailStatement();
    const other = await logged(t, reftrailStatement(nowNs() - 2n * DAY), key);
    const evidence = { ...other, statement: presented, signature: sign("sha256", presented, key.privateKey) };
    expect(verifyEndorsement(evidence, keyPolicy(key.publicKey, [t.trusted], nowNs())).failure?.check).toBe("BODY_HASH");
  });

  it("BODY_KIND: a correctly signed entry of another kind or version is refused", () => {
    const key = newKey();
    const statement = reftrailStatement();
    const signature = sign("sha256", statement, key.privateKey);
    const logKey = newKey();
    const trusted = { identity: { ...t.trusted.identity, publicKey: logKey.publicKey, logId: keyIdOf(logKey.publicKey), keyHint: Buffer.from(keyIdOf(logKey.publicKey), "hex").subarray(0, 4) }, name: "x.example", source: "crafted log" };
    for (const body of [
      { apiVersion: "0.0.1", kind: "intoto", spec: {} },
      { apiVersion: "0.0.2", kind: "hashedrekord", spec: { data: { hash: { algorithm: "sha256", value: createHash("sha256").update(statement).digest("hex") } }, signature: { content: signature.toString("base64"), publicKey: { content: "" } } } },
    ]) {
      const bodyB64 = Buffer.from(canonicalJson(body)).toString("base64");
      const payload = { body: bodyB64, integratedTime: Math.floor(Date.now() / 1000) - 10, logID: trusted.identity.logId, logIndex: 7 };
      const entry = { ...payload, verification: { signedEntryTimestamp: Buffer.from(signSet(payload, logKey.privateKey)).toString("base64") } };
      const id = `0000000000000001${Buffer.from(leafHash(Buffer.from(bodyB64, "base64"))).toString("hex")}`;
      const evidence = loggedFromLogEntry(statement, signature, JSON.stringify({ [id]: entry }), "crafted");
      expect(verifyEndorsement(evidence, keyPolicy(key.publicKey, [trusted], nowNs())).failure?.check).toBe("BODY_KIND");
    }
  });

  it("LOG_TIME: logged before the endorsement's validity began", async () => {
    const key = newKey();
    const evidence = await logged(t, reftrailStatement(nowNs() + DAY, nowNs() + 30n * DAY), key);
    const verdict = verifyEndorsement(evidence, keyPolicy(key.publicKey, [t.trusted], nowNs() + 2n * DAY));
    expect(verdict.failure?.check).toBe("LOG_TIME");
    expect(verdict.failure?.message).toContain("outside the endorsement's validity");
  });

  it("KEY_VALIDITY: the registry window of the key does not cover the log time", async () => {
    const key = newKey();
    const evidence = await logged(t, reftrailStatement(), key);
    const registryPolicy = (start: bigint, end?: bigint): EndorsementPolicy => ({
      ...keyPolicy(key.publicKey, [t.trusted], nowNs() + 10n * NS_PER_SECOND),
      keys: { kind: "keys", keys: [{ key: key.publicKey, keyId: keyIdOf(key.publicKey), validFor: end === undefined ? { start } : { start, end }, source: "registry" }] },
    });
    expect(verifyEndorsement(evidence, registryPolicy(nowNs() - DAY)).failure).toBeUndefined();
    expect(verifyEndorsement(evidence, registryPolicy(nowNs() + DAY)).failure?.check).toBe("KEY_VALIDITY");
    expect(verifyEndorsement(evidence, registryPolicy(nowNs() - 2n * DAY, nowNs() - DAY)).failure?.check).toBe("KEY_VALIDITY");
  });
});

describe("STATEMENT_TYPE: what Oak refuses in a statement, signed correctly", () => {
  const key = newKey();
  const { evidence: oak } = oakTestdata();
  const check = (bytes: Uint8Array) => verifyEndorsement({ ...oak, statement: bytes, signature: sign("sha256", bytes, key.privateKey) }, keyPolicy(key.publicKey, [PUBLIC_GOOD], nowNs()));
  const cases: [string, (s: Record<string, unknown>) => void, RegExp][] = [
    ["in-toto v0.1", (s) => (s["_type"] = "https://in-toto.io/Statement/v0.1"), /unsupported statement type/],
    ["legacy predicate", (s) => (s["predicateType"] = "https://github.com/project-oak/transparent-release/claim/v1"), /legacy/],
    ["other predicate", (s) => (s["predicateType"] = "https://slsa.dev/provenance/v1"), /unsupported predicate type/],
    ["two subjects", (s) => (s["subject"] = [...(s["subject"] as unknown[]), ...(s["subject"] as unknown[])]), /single subject, found 2/],
    ["no subject", (s) => (s["subject"] = []), /single subject, found 0/],
    ["unknown digest", (s) => ((s["subject"] as { digest: Record<string, string> }[])[0]!.digest = { md5: "00".repeat(16) }), /unknown subject digest/],
    // An Object.prototype member is not a digest name (the lookup once returned Object's constructor, and a
    // value matching the pattern `{undefined}` passed as a digest).
    ["digest named constructor", (s) => ((s["subject"] as { digest: Record<string, string> }[])[0]!.digest = { constructor: "a{undefined}" }), /unknown subject digest algorithm 'constructor'/],
    ["digest named toString", (s) => ((s["subject"] as { digest: Record<string, string> }[])[0]!.digest = { toString: "00".repeat(32) }), /unknown subject digest algorithm 'toString'/],
    ["doubled aliases", (s) => ((s["subject"] as { digest: Record<string, string> }[])[0]!.digest = { sha256: "00".repeat(32), sha2_256: "00".repeat(32) }), /given twice/],
    ["upper-case digest", (s) => ((s["subject"] as { digest: Record<string, string> }[])[0]!.digest = { sha256: "AB".repeat(32) }), /lower-case hex/],
    ["no validity", (s) => delete (s["predicate"] as Record<string, unknown>)["validity"], /validity field is not set/],
    ["bad notAfter", (s) => ((s["predicate"] as { validity: Record<string, string> }).validity["notAfter"] = "2025-02-30T00:00:00Z"), /notAfter/],
    ["no issuedOn", (s) => delete (s["predicate"] as Record<string, unknown>)["issuedOn"], /issuedOn/],
    ["reftrail values of another subject", (s) => ((s["subject"] as { name: string }[])[0]!.name = "other"), /another subject/],
    ["malformed reftrail values", (s) => ((s["predicate"] as { reftrail: Record<string, unknown> }).reftrail["version"] = 2), /predicate\.reftrail/],
  ];
  for (const [name, mutate, message] of cases) {
    it(name, () => {
      const verdict = check(rawStatement(mutate));
      expect(verdict.failure?.check).toBe("STATEMENT_TYPE");
      expect(verdict.failure?.message).toMatch(message);
    });
  }

  it("not JSON, or not UTF-8", () => {
    expect(check(Buffer.from("not json")).failure?.check).toBe("STATEMENT_TYPE");
    expect(check(Buffer.from([0x7b, 0xff, 0x7d])).failure?.check).toBe("STATEMENT_TYPE");
  });

  it("unknown members are ignored, as Oak does", () => {
    const verdict = check(rawStatement((s) => ((s["predicate"] as Record<string, unknown>)["annotations"] = { x: 1 })));
    expect(verdict.checks.find((c) => c.check === "STATEMENT_TYPE")?.status).toBe("passed");
  });
});

describe("bundles", () => {
  it("a bundle from our log verifies; every field change is rejected by its check", async () => {
    const key = newKey();
    const statement = reftrailStatement();
    const ev = await logged(t, statement, key);
    const bundle = messageSignatureBundle(ev.entry, createHash("sha256").update(statement).digest(), ev.signature, "hint");
    const text = JSON.stringify(bundle);
    const policy = keyPolicy(key.publicKey, [t.trusted], nowNs() + 10n * NS_PER_SECOND);
    expect(verifyEndorsement(loggedFromBundle(statement, text, "b"), policy).failure).toBeUndefined();
    const mutated = (f: (b: typeof bundle) => void) => {
      const copy = structuredClone(bundle);
      f(copy);
      return verifyEndorsement(loggedFromBundle(statement, JSON.stringify(copy), "b"), policy).failure?.check;
    };
    const tle = bundle.verificationMaterial.tlogEntries[0]!;
    const flip64 = (b64: string) => {
      const raw = Buffer.from(b64, "base64");
      raw[raw.length - 1]! ^= 1;
      return raw.toString("base64");
    };
    expect(mutated((b) => (b.messageSignature.signature = flip64(b.messageSignature.signature)))).toBe("STATEMENT_SIGNATURE");
    expect(mutated((b) => (b.messageSignature.messageDigest.digest = flip64(b.messageSignature.messageDigest.digest)))).toBe("BODY_HASH");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.canonicalizedBody = flip64(tle.canonicalizedBody)))).toBe("SET");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.integratedTime = String(Number(tle.integratedTime) - 1)))).toBe("SET");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.logIndex = String(Number(tle.logIndex) + 1)))).toBe("SET");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.logId.keyId = flip64(tle.logId.keyId)))).toBe("LOG_ID");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.inclusionPromise!.signedEntryTimestamp = flip64(tle.inclusionPromise!.signedEntryTimestamp)))).toBe("SET");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.kindVersion.kind = "rekord"))).toBe("BODY_KIND");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.inclusionProof!.rootHash = flip64(tle.inclusionProof!.rootHash)))).toBe("INCLUSION_PROOF");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.inclusionProof!.treeSize = String(Number(tle.inclusionProof!.treeSize) + 1)))).toBe("INCLUSION_PROOF");
    expect(mutated((b) => (b.verificationMaterial.tlogEntries[0]!.inclusionProof!.checkpoint.envelope = tle.inclusionProof!.checkpoint.envelope.replace("\n", "\n1")))).toBe("CHECKPOINT_SIGNATURE");
    expect(mutated((b) => delete b.verificationMaterial.tlogEntries[0]!.inclusionProof)).toBe("INCLUSION_PROOF");
  });

  it("malformed bundles are input errors", () => {
    const { evidence } = oakTestdata();
    expect(() => loggedFromBundle(evidence.statement, "{}", "b.json")).toThrow(/mediaType/);
    expect(() => loggedFromBundle(evidence.statement, JSON.stringify({ mediaType: "application/vnd.dev.sigstore.bundle.v0.1+json" }), "b.json")).toThrow(/mediaType/);
  });
});

it("LOG_TIME: an entry integrated after the verification time is from the future", async () => {
  const key = newKey();
  const evidence = await logged(t, reftrailStatement(), key);
  expect(verifyEndorsement(evidence, keyPolicy(key.publicKey, [t.trusted], nowNs() - 60n * NS_PER_SECOND)).failure?.check).toBe("LOG_TIME");
});

describe("inputs peers would read differently", () => {
  const key = newKey();
  const { evidence: oak } = oakTestdata();
  const check = (bytes: Uint8Array) => verifyEndorsement({ ...oak, statement: bytes, signature: sign("sha256", bytes, key.privateKey) }, keyPolicy(key.publicKey, [PUBLIC_GOOD], nowNs()));

  it("a signed statement with a repeated key, a __proto__ key or a byte-order mark: STATEMENT_TYPE", () => {
    const text = Buffer.from(reftrailStatement()).toString("utf8");
    const doubled = text.replace('"predicateType"', '"subject": [{"name": "other", "digest": {"sha256": "' + "00".repeat(32) + '"}}],\n  "predicateType"');
    expect(check(Buffer.from(doubled)).failure?.check).toBe("STATEMENT_TYPE");
    expect(check(Buffer.from(doubled)).failure?.message).toMatch(/repeats the key 'subject'/);
    const proto = text.replace('"sha256":', '"__proto__": "00", "sha256":');
    expect(check(Buffer.from(proto)).failure?.message).toMatch(/__proto__/);
    expect(check(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])).failure?.message).toMatch(/byte-order mark/);
  });

  it("with a registry, --component naming another component fails COMPONENT (not the signature)", async () => {
    const k = newKey();
    const evidence = await logged(t, reftrailStatement(), k);
    const registry = { registry: { version: 1 as const, components: {} }, keysByComponent: new Map([["linux-cloud", [{ key: k.publicKey, keyId: keyIdOf(k.publicKey), source: "r" }]], ["ovmf", [{ key: newKey().publicKey, keyId: "x", source: "r" }]]]) };
    const policy = (component: string): EndorsementPolicy => ({ ...keyPolicy(k.publicKey, [t.trusted], nowNs() + 10n * NS_PER_SECOND), keys: { kind: "registry", registry, source: "r" }, component });
    expect(verifyEndorsement(evidence, policy("linux-cloud")).failure).toBeUndefined();
    expect(verifyEndorsement(evidence, policy("ovmf")).failure?.check).toBe("COMPONENT");
  });

  it("log entries keyed by a bare 64-hex UUID, or with upper-case hex, are input errors", () => {
    const { logEntry } = oakTestdata();
    const [id, entry] = Object.entries(JSON.parse(logEntry) as Record<string, { logID: string }>)[0]!;
    expect(() => loggedFromLogEntry(oak.statement, oak.signature, JSON.stringify({ [id.slice(16)]: entry }), "l")).toThrow(/80 hex-digit entry id/);
    expect(() => loggedFromLogEntry(oak.statement, oak.signature, JSON.stringify({ [id]: { ...entry, logID: entry.logID.toUpperCase() } }), "l")).toThrow(/lower-case/);
  });

  it("a bundle with a detached signature that differs from its own: BODY_SIGNATURE", async () => {
    const k = newKey();
    const statement = reftrailStatement();
    const ev = await logged(t, statement, k);
    const text = JSON.stringify(messageSignatureBundle(ev.entry, createHash("sha256").update(statement).digest(), ev.signature, "hint"));
    const policy = keyPolicy(k.publicKey, [t.trusted], nowNs() + 10n * NS_PER_SECOND);
    expect(verifyEndorsement(loggedFromBundle(statement, text, "b", ev.signature), policy).failure).toBeUndefined();
    expect(verifyEndorsement(loggedFromBundle(statement, text, "b", sign("sha256", statement, k.privateKey)), policy).failure?.check).toBe("BODY_SIGNATURE");
  });

  it("a Rekor key given with a compressed point is the same log (logID from the uncompressed SPKI)", () => {
    const { evidence, key: oakKey } = oakTestdata();
    const jwk = PUBLIC_GOOD.identity.publicKey.export({ format: "jwk" });
    const x = Buffer.from(jwk.x!, "base64url");
    const y = Buffer.from(jwk.y!, "base64url");
    const compressedSpki = Buffer.concat([Buffer.from("3039301306072a8648ce3d020106082a8648ce3d030107032200", "hex"), Buffer.from([2 + (y[31]! & 1)]), x]);
    const compressed = createPublicKey({ key: compressedSpki, format: "der", type: "spki" });
    expect(compressed.export({ format: "der", type: "spki" }).byteLength).toBe(compressedSpki.byteLength);
    const log = { ...PUBLIC_GOOD, identity: logIdentity(compressed) };
    expect(log.identity.logId).toBe("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
    expect(verifyEndorsement(evidence, keyPolicy(oakKey, [log], parseRfc3339("2024-10-01T00:00:00Z")!)).failure).toBeUndefined();
  });
});
