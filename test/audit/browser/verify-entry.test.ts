import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readdirSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { verifyLoggedEntry, type EntryVerdict, type LoggedEntryInput } from "../../../src/audit/browser/verify-entry.js";
import { parseLogEntryResponse } from "../../../src/audit/browser/log-entry.js";
import { webAsyncCrypto, webAsyncCryptoOf } from "../../../src/audit/browser/web-crypto.js";
import type { LogEntry } from "../../../src/schema/rekor.js";
import { loggedFromLogEntry } from "../../../src/tlog/read-logged.js";
import { nodeAsyncCrypto, type AsyncCrypto } from "../../../src/util/async-crypto.js";
import { verifyEndorsement, type EndorsementVerdict } from "../../../src/verify/endorsement/verifier.js";
import type { EndorsementPolicy } from "../../../src/verify/endorsement/policy.js";
import type { TrustedLogKey } from "../../../src/tlog/keys.js";
import { parseKeyRegistry } from "../../../src/keys/registry.js";
import { claimedComponent } from "../../../src/verify/endorsement/statement.js";
import { COMMITTED, ROOT } from "../../helpers/fixtures.js";
import { PUBLIC_GOOD, committed, committedKey, keyPolicy, logged, msInstant, testLog } from "../../helpers/endorse.js";

/**
 * The viewer's verifier against the CLI's on the same inputs: Oak's real public-Rekor entries and
 * entries of an embedded log, each check made to fail by a tamper. The same verdict must come out
 * of every AsyncCrypto, and its first failure must be the check the CLI verifier stops at.
 */
const CRYPTOS: [string, AsyncCrypto][] = [
  ["node:crypto", nodeAsyncCrypto],
  ["WebCrypto", webAsyncCrypto],
  ["@noble only", webAsyncCryptoOf(undefined)],
];

const pem = (key: KeyObject) => key.export({ type: "spki", format: "pem" }) as string;
const SHARED = ["STATEMENT_SIGNATURE", "LOG_ID", "SET", "ENTRY_ID", "BODY_KIND", "BODY_HASH", "BODY_KEY", "BODY_SIGNATURE", "CHECKPOINT_SIGNATURE", "CHECKPOINT_ORIGIN", "INCLUSION_PROOF"];

interface Case {
  readonly input: LoggedEntryInput;
  /** The same inputs for `reftrail verify endorsement`'s verifier. */
  readonly sync: () => EndorsementVerdict;
}

/** The verdict, the same from every AsyncCrypto. */
async function verdictOf(input: LoggedEntryInput): Promise<EntryVerdict> {
  const [first, ...rest] = await Promise.all(CRYPTOS.map(([, crypto]) => verifyLoggedEntry(crypto, input)));
  for (const [i, v] of rest.entries()) expect(v, CRYPTOS[i + 1]![0]).toEqual(first);
  return first!;
}

const statusOf = (v: { checks: readonly { check: string; status: string }[] }, check: string) => v.checks.find((c) => c.check === check)?.status;

/** Both verifiers agree: the same verified, every shared check passed when it passes, the same first failure when not. */
async function agree(c: Case): Promise<EntryVerdict> {
  const web = await verdictOf(c.input);
  const sync = c.sync();
  expect(web.verified, JSON.stringify(web.failures)).toBe(sync.verified);
  if (sync.verified) for (const check of SHARED) expect(statusOf(web, check), check).toBe("passed");
  else expect(web.failures[0]).toBe(sync.failure?.check);
  return web;
}

function oakCase(dir: string, keyFile: string, at: number): Case {
  const text = readFileSync(join(dir, "logentry.json"), "utf8");
  const statement = readFileSync(join(dir, "endorsement.json"));
  const signature = readFileSync(join(dir, "endorsement.json.sig"));
  return {
    input: { statement, signature, ...parseLogEntryResponse(text), componentKey: readFileSync(keyFile, "utf8"), logKey: committed("sigstore/oak/rekor_public_key.pem").toString("utf8"), logName: "rekor.sigstore.dev" },
    sync: () => verifyEndorsement(loggedFromLogEntry(statement, signature, text, "logentry.json"), keyPolicy(committedKey(keyFile.slice(COMMITTED.length + 1)), [PUBLIC_GOOD], msInstant(at))),
  };
}

const flipByte = (bytes: Uint8Array, at: number): Uint8Array => Uint8Array.from(bytes, (b, i) => (i === at ? b ^ 1 : b));
const flipBase64 = (text: string, at: number) => Buffer.from(flipByte(Buffer.from(text, "base64"), at)).toString("base64");
const flipHex = (hex: string) => `${hex[0] === "0" ? "1" : "0"}${hex.slice(1)}`;

/** The checkpoint with a byte of its signature (after the 4-byte key hint) flipped. */
function flipCheckpointSignature(note: string): string {
  const lines = note.split("\n");
  const i = lines.findIndex((l) => l.startsWith("\u2014 "));
  const [dash, name, blob] = lines[i]!.split(" ");
  lines[i] = `${dash} ${name} ${flipBase64(blob!, 10)}`;
  return lines.join("\n");
}

function entryWith(c: Case, change: (e: LogEntry) => LogEntry): LogEntry {
  return change(structuredClone(c.input.entry as LogEntry));
}

describe("Oak's real public-Rekor entries (oak/derived/*_components)", () => {
  // The keys from the example registry of Oak's release keys; the CLI verifier looks them up there too.
  const registry = parseKeyRegistry(readFileSync(join(ROOT, "examples/oak-key-registry.json"), "utf8"), "oak-key-registry.json");
  // Times from the fixtures manifest (as test/verify/endorsement/real-data.test.ts).
  for (const { set, at } of [
    { set: "milan_oc_release", at: 1754006400000 },
    { set: "milan_rk_release", at: 1754006400000 },
    { set: "fake", at: 1758075793500 },
  ]) {
    const root = join(COMMITTED, "oak/derived", `${set}_components`);
    for (const component of readdirSync(root).sort()) {
      const dir = join(root, component);
      if (!existsSync(join(dir, "logentry.json"))) continue;
      it(`${set}/${component}: every check passes, as with the CLI verifier`, async () => {
        const text = readFileSync(join(dir, "logentry.json"), "utf8");
        const statement = readFileSync(join(dir, "endorsement.json"));
        const signature = readFileSync(join(dir, "endorsement.json.sig"));
        const keys = registry.keysByComponent.get(claimedComponent(statement)!)!;
        expect(keys).toHaveLength(1);
        const c: Case = {
          input: { statement, signature, ...parseLogEntryResponse(text), componentKey: pem(keys[0]!.key), logKey: committed("sigstore/oak/rekor_public_key.pem").toString("utf8"), logName: "rekor.sigstore.dev" },
          sync: () => verifyEndorsement(loggedFromLogEntry(statement, signature, text, "logentry.json"), { keys: { kind: "registry", registry, source: "oak-key-registry.json" }, logs: [PUBLIC_GOOD], at: msInstant(at), requiredClaims: [], allowSetOnly: false }),
        };
        const v = await agree(c);
        expect(v.verified).toBe(true);
        expect(v.entry?.treeId).toBe("1193050959916656506"); // rekor.sigstore.dev's active shard, from the entry id
      });
    }
  }

  it("Oak's testdata endorsement (sigstore/oak): verified, with the entry Oak's fixtures name", async () => {
    const text = committed("sigstore/oak/logentry.json").toString("utf8");
    const v = await verdictOf({
      statement: committed("sigstore/oak/endorsement.json"),
      signature: committed("oak/oak_attestation_verification/testdata/endorsement.json.sig"),
      ...parseLogEntryResponse(text),
      componentKey: committed("sigstore/oak/endorser_public_key.pem").toString("utf8"),
      logKey: new Uint8Array(committedKey("sigstore/oak/rekor_public_key.pem").export({ type: "spki", format: "der" })),
    });
    expect(v.failures).toEqual([]);
    // From ../shared/fixtures/README.md §6, not from the code under test.
    expect(v.entry?.logIndex).toBe(132193865);
    expect(v.entry?.bodyHash).toBe(`sha256:${createHash("sha256").update(committed("sigstore/oak/endorsement.json")).digest("hex")}`);
  });

  describe("tampers, each failing its check (kernel of milan_oc_release)", () => {
    const dir = join(COMMITTED, "oak/derived/milan_oc_release_components/kernel");
    const keyFile = join(COMMITTED, "oak/derived/endorser_key_oak_containers_kernel.pem");
    const at = 1754006400000;
    const base = oakCase(dir, keyFile, at);
    const policy = keyPolicy(committedKey("oak/derived/endorser_key_oak_containers_kernel.pem"), [PUBLIC_GOOD], msInstant(at));
    const run = async (name: string, change: Partial<LoggedEntryInput>, syncPolicy: EndorsementPolicy, failing: string[]) => {
      const input = { ...base.input, ...change };
      const c: Case = { input, sync: () => verifyEndorsement(loggedFromLogEntry(input.statement!, input.signature, JSON.stringify({ [input.entryId]: input.entry }), "logentry.json"), syncPolicy) };
      const v = await agree(c);
      expect(v.verified, name).toBe(false);
      expect(v.failures, name).toEqual(failing);
      return v;
    };

    it("a flipped byte in the statement: STATEMENT_SIGNATURE and BODY_HASH", async () => {
      await run("statement", { statement: flipByte(base.input.statement!, 100) }, policy, ["STATEMENT_SIGNATURE", "BODY_HASH"]);
    });
    it("a flipped byte in the signature: STATEMENT_SIGNATURE and BODY_SIGNATURE", async () => {
      await run("signature", { signature: flipByte(base.input.signature, 20) }, policy, ["STATEMENT_SIGNATURE", "BODY_SIGNATURE"]);
    });
    it("another component's key: STATEMENT_SIGNATURE and BODY_KEY", async () => {
      const wrong = "oak/derived/endorser_key_oak_containers_stage1.pem";
      await run("key", { componentKey: committed(wrong).toString("utf8") }, keyPolicy(committedKey(wrong), [PUBLIC_GOOD], msInstant(at)), ["STATEMENT_SIGNATURE", "BODY_KEY"]);
    });
    it("another log's key: LOG_ID (and what needs the log key is not run)", async () => {
      const other = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
      const { logIdentity } = await import("../../../src/tlog/keys.js");
      const otherLog: TrustedLogKey = { identity: logIdentity(other), name: "rekor.sigstore.dev", source: "other" };
      const v = await run("log key", { logKey: pem(other) }, { ...policy, logs: [otherLog] }, ["LOG_ID", "SET", "CHECKPOINT_SIGNATURE", "CHECKPOINT_ORIGIN", "INCLUSION_PROOF"]);
      expect(statusOf(v, "SET")).toBe("not run");
    });
    it("a flipped byte in the SET: SET", async () => {
      const entry = entryWith(base, (e) => ({ ...e, verification: { ...e.verification, signedEntryTimestamp: flipBase64(e.verification.signedEntryTimestamp!, 30) } }));
      await run("SET", { entry }, policy, ["SET"]);
    });
    it("a flipped proof hash: INCLUSION_PROOF", async () => {
      const entry = entryWith(base, (e) => ({ ...e, verification: { ...e.verification, inclusionProof: { ...e.verification.inclusionProof!, hashes: e.verification.inclusionProof!.hashes.map((h, i) => (i === 3 ? flipHex(h) : h)) } } }));
      await run("proof", { entry }, policy, ["INCLUSION_PROOF"]);
    });
    it("a flipped byte in the checkpoint signature: CHECKPOINT_SIGNATURE", async () => {
      const entry = entryWith(base, (e) => ({ ...e, verification: { ...e.verification, inclusionProof: { ...e.verification.inclusionProof!, checkpoint: flipCheckpointSignature(e.verification.inclusionProof!.checkpoint) } } }));
      await run("checkpoint", { entry }, policy, ["CHECKPOINT_SIGNATURE", "CHECKPOINT_ORIGIN", "INCLUSION_PROOF"]);
    });
    it("an entry id naming another leaf: ENTRY_ID", async () => {
      await run("entry id", { entryId: base.input.entryId.slice(0, 16) + flipHex(base.input.entryId.slice(16)) }, policy, ["ENTRY_ID"]);
    });
    it("an entry id naming another tree: CHECKPOINT_ORIGIN (the checkpoint is of the log's tree, not that one)", async () => {
      await run("tree id", { entryId: flipHex(base.input.entryId.slice(0, 16)) + base.input.entryId.slice(16) }, policy, ["CHECKPOINT_ORIGIN", "INCLUSION_PROOF"]);
    });
    it("an entry without its inclusion proof: INCLUSION_PROOF (a SET alone is not enough)", async () => {
      const entry = entryWith(base, (e) => ({ ...e, verification: { signedEntryTimestamp: e.verification.signedEntryTimestamp! } }));
      const v = await run("no proof", { entry }, policy, ["INCLUSION_PROOF"]);
      expect(statusOf(v, "CHECKPOINT_SIGNATURE")).toBe("skipped");
    });
    it("not a LogEntry (a field missing, a bad type): LOG_ENTRY, nothing else runs", async () => {
      for (const entry of [{ ...(base.input.entry as object), logIndex: "1" }, { body: (base.input.entry as LogEntry).body }, null]) {
        const v = await verdictOf({ ...base.input, entry });
        expect(v.verified).toBe(false);
        expect(v.failures[0]).toBe("LOG_ENTRY");
        expect(v.checks.filter((c) => c.check !== "LOG_ENTRY").every((c) => c.status === "not run")).toBe(true);
      }
    });
    it("without the statement (only its hash is known): the log checks pass, the statement's are not run", async () => {
      const v = await verdictOf({ ...base.input, statement: undefined });
      expect(v.verified).toBe(false);
      expect(v.failures).toEqual(["STATEMENT_SIGNATURE", "BODY_HASH"]);
      expect(statusOf(v, "STATEMENT_SIGNATURE")).toBe("not run");
      for (const check of ["LOG_ID", "SET", "ENTRY_ID", "BODY_KIND", "BODY_KEY", "BODY_SIGNATURE", "CHECKPOINT_SIGNATURE", "CHECKPOINT_ORIGIN", "INCLUSION_PROOF"]) expect(statusOf(v, check), check).toBe("passed");
    });
    it("a crypto that throws midway: a verdict (not verified), never an exception", async () => {
      let calls = 0;
      const failing: AsyncCrypto = { sha256: (d) => (++calls > 2 ? Promise.reject(new Error("no more hashing")) : nodeAsyncCrypto.sha256(d)), verifyEcdsa: nodeAsyncCrypto.verifyEcdsa };
      const v = await verifyLoggedEntry(failing, base.input);
      expect(v.verified).toBe(false);
      expect(v.checks.some((c) => c.status === "not run" && /no more hashing/.test(c.detail ?? ""))).toBe(true);
    });
    it("keys that are not PEM PUBLIC KEY blocks fail the checks that need them", async () => {
      const v = await verdictOf({ ...base.input, componentKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", logKey: "not a key" });
      expect(v.failures).toEqual(["STATEMENT_SIGNATURE", "LOG_ID", "SET", "BODY_KEY", "CHECKPOINT_SIGNATURE", "CHECKPOINT_ORIGIN", "INCLUSION_PROOF"]);
    });
  });
});

describe("entries of an embedded log built here", () => {
  const t = testLog();
  afterAll(() => t.close());
  const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const trusted = t.trusted;
  const logPem = pem(trusted.identity.publicKey);
  // The artifact form: arbitrary signed bytes, so the CLI verifier runs only the checks both share.
  const policyFor = (key: KeyObject): EndorsementPolicy => ({ ...keyPolicy(key, [trusted], BigInt(Date.now() + 86_400_000) * 1_000_000n), signed: "artifact" });

  async function caseFor(statement: Uint8Array, signature?: Uint8Array): Promise<{ input: LoggedEntryInput; evidence: Awaited<ReturnType<typeof logged>> }> {
    const evidence = await logged(t, statement, signer, signature);
    return { evidence, input: { statement: evidence.statement, signature: evidence.signature, entryId: evidence.entryId!, entry: evidence.entry, componentKey: pem(signer.publicKey), logKey: logPem, logName: t.log.name } };
  }

  it("several entries verify, as with the CLI verifier", async () => {
    for (let i = 0; i < 4; i++) {
      const { input, evidence } = await caseFor(new TextEncoder().encode(`statement ${i}`));
      const v = await agree({ input, sync: () => verifyEndorsement(evidence, policyFor(signer.publicKey)) });
      expect(v.verified).toBe(true);
      expect(v.entry?.checkpointOrigin).toMatch(/^test\.log\.example - \d+$/);
    }
  });

  it("a signature other than the logged one: BODY_SIGNATURE (the statement signature itself verifies)", async () => {
    const statement = new TextEncoder().encode("statement with two signatures");
    const { input, evidence } = await caseFor(statement, new Uint8Array(sign("sha256", statement, signer.privateKey)));
    const v = await agree({ input, sync: () => verifyEndorsement(evidence, policyFor(signer.publicKey)) });
    expect(v.failures).toEqual(["BODY_SIGNATURE"]);
  });

  it("a log name other than the checkpoint's signer: CHECKPOINT_SIGNATURE (no signature by that name)", async () => {
    const { input, evidence } = await caseFor(new TextEncoder().encode("named"));
    const v = await agree({ input: { ...input, logName: "other.example" }, sync: () => verifyEndorsement(evidence, { ...policyFor(signer.publicKey), logs: [{ ...trusted, name: "other.example" }] }) });
    expect(v.failures[0]).toBe("CHECKPOINT_SIGNATURE");
  });
});
