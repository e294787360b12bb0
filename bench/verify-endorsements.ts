/**
 * Offline endorsement verification: 1,000 real endorsements, each with an inclusion proof, verified
 * in one process (parse logentry.json into evidence, then verifyEndorsement), next to the floor: the
 * three ECDSA P-256 verifications each endorsement needs (statement signature, SET, checkpoint) at
 * the rate `openssl speed ecdsap256` measures on the same machine.
 *
 * Setup (not timed): the 5 components of reference-values/2026.11.0.json, re-issued as 200 releases
 * (version, subject digest and issue time differ per release), one P-256 key per component in a key
 * registry, every statement signed and logged through RekorClient into a fresh embedded log, a
 * release's 5 entries submitted together (one commit, so each release's entries get their own
 * checkpoint). Each entry's logentry.json is kept twice: as the log returned it at logging time
 * (proof against the tree right after its commit, checkpoints differ across releases) and as fetched
 * again after all were logged (proof against the final tree, one checkpoint for all).
 */
import { createHash, createPublicKey, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateComponentKey, publicKeyPem, sameKey, type ComponentKeyPair } from "../src/keys/component-keys.js";
import { hashedRekordFor } from "../src/endorse/publish.js";
import { parseKeyRegistry, setKeyWindow } from "../src/keys/registry.js";
import { signStatement } from "../src/endorse/sign.js";
import { verifyStatementSignature } from "../src/keys/signature.js";
import { componentStatement, statementBytes } from "../src/endorse/statement.js";
import type { KeyRegistry } from "../src/schema/key-registry.js";
import { parseDocument } from "../src/schema/parse.js";
import { ProposedEntry } from "../src/schema/rekor.js";
import { ReferenceValues, type ComponentValues } from "../src/schema/reference-values.js";
import { parseCheckpoint } from "../src/tlog/checkpoint.js";
import { RekorClient } from "../src/tlog/client.js";
import { inProcessTransport } from "../src/tlog/embedded/in-process.js";
import { EmbeddedLog, initLog, logPaths } from "../src/tlog/embedded/log.js";
import { logIdentity } from "../src/tlog/keys.js";
import { entryKey } from "../src/tlog/kinds/entries.js";
import { PREHASHED_BACKEND, verificationKey, verifyPrehashed } from "../src/tlog/prehashed.js";
import { setPayloadBytes } from "../src/tlog/set.js";
import { checkEntrySet, checkInclusion, checkProofCheckpoint, entryLeaf } from "../src/tlog/verify-entry.js";
import type { LoggedEndorsement } from "../src/tlog/logged-endorsement.js";
import type { EndorsementPolicy } from "../src/verify/endorsement/policy.js";
import { loggedFromLogEntry } from "../src/tlog/read-logged.js";
import { claimedComponent, readEndorsement } from "../src/verify/endorsement/statement.js";
import { verifyEndorsement } from "../src/verify/endorsement/verifier.js";
import { ROOT, RUNS, median, opensslVerifiesPerSecond } from "./common.js";

const COUNT = Number(process.env["BENCH_ENDORSEMENTS"] ?? 1000);
const runs = Math.max(3, Math.min(RUNS, 7));
const NS_PER_S = 1_000_000_000n;

// ---------------------------------------------------------------------------------------------
// Setup: 1,000 signed, logged endorsements (not timed).

interface Endorsement {
  readonly component: string;
  readonly statement: Uint8Array;
  readonly signature: Uint8Array;
  /** logentry.json text as the log answered the submission (proof against the tree just after its commit). */
  readonly asReturned: string;
  /** logentry.json text fetched after all entries were logged (proof against the final tree). */
  finalTree: string;
}

const logEntryText = (entryId: string, entry: unknown) => `${JSON.stringify({ [entryId]: entry }, null, 2)}\n`;

/** A component as a later release would carry it: another version and subject digest, same shape. */
function reissued(c: ComponentValues, release: number): ComponentValues {
  const digest = Object.fromEntries(
    Object.entries(c.subject.digest).map(([alg, hex = ""]) => [alg, createHash({ 64: "sha256", 96: "sha384", 128: "sha512" }[hex.length] ?? "sha256").update(`${c.name} ${release}`).digest("hex").slice(0, hex.length)]),
  );
  return { ...c, version: `${c.version}+r${release}`, subject: { ...c.subject, digest } };
}

async function setup() {
  const rvPath = join(ROOT, "reference-values/2026.11.0.json");
  const rv = parseDocument(ReferenceValues, readFileSync(rvPath, "utf8"), rvPath);
  const nowS = BigInt(Math.floor(Date.now() / 1000));
  const keys = new Map<string, ComponentKeyPair>(rv.components.map((c) => [c.name, generateComponentKey()]));
  let registry: KeyRegistry | undefined;
  for (const [name, pair] of keys) registry = setKeyWindow(registry, name, pair.publicKey, { start: (nowS - 86_400n) * NS_PER_S }, nowS * NS_PER_S).registry;
  const loadedRegistry = parseKeyRegistry(JSON.stringify(registry), "bench key registry");

  const dir = mkdtempSync(join(tmpdir(), "reftrail-bench-verify-"));
  initLog(dir);
  const log = EmbeddedLog.open(dir);
  const client = new RekorClient(inProcessTransport(log));
  const endorsements: Endorsement[] = [];
  const ids: string[] = [];
  const releases = Math.ceil(COUNT / rv.components.length);
  for (let r = 0; r < releases && endorsements.length < COUNT; r++) {
    const release = { ...rv.release, version: `2026.11.${r}` };
    const issuedOn = (nowS - 3600n - BigInt(releases - r)) * NS_PER_S;
    const batch = rv.components.slice(0, COUNT - endorsements.length).map((c) => {
      const pair = keys.get(c.name)!;
      const statement = statementBytes(componentStatement(release, reissued(c, r), { issuedOn, notBefore: issuedOn, notAfter: (nowS + 365n * 86_400n) * NS_PER_S }));
      const signature = signStatement(statement, pair.privateKey, pair.publicKey);
      return { component: c.name, statement, signature, publicKeyPem: publicKeyPem(pair.publicKey) };
    });
    const created = await Promise.all(batch.map((b) => client.createEntry(hashedRekordFor(b))));
    created.forEach((c, i) => {
      if (!c.created) throw new Error(`entry ${c.entryId} was already logged`);
      const b = batch[i]!;
      endorsements.push({ component: b.component, statement: b.statement, signature: b.signature, asReturned: logEntryText(c.entryId, c.entry), finalTree: "" });
      ids.push(c.entryId);
    });
  }
  for (let i = 0; i < endorsements.length; i++) {
    const { entryId, entry } = await client.getEntry(ids[i]!);
    endorsements[i]!.finalTree = logEntryText(entryId, entry);
  }
  const logKey = createPublicKey(readFileSync(logPaths(dir).publicKey));
  const policy: EndorsementPolicy = {
    keys: { kind: "registry", registry: loadedRegistry, source: "bench key registry" },
    logs: [{ identity: logIdentity(logKey), name: log.name, source: "log-public-key.pem" }],
    at: BigInt(Date.now()) * 1_000_000n,
    requiredClaims: [],
    allowSetOnly: false,
  };
  const checkpoints = new Set(endorsements.map((e) => (Object.values(JSON.parse(e.asReturned))[0] as { verification: { inclusionProof: { checkpoint: string } } }).verification.inclusionProof.checkpoint));
  const finalSize = log.current().size;
  log.close();
  rmSync(dir, { recursive: true, force: true });
  return { endorsements, policy, keys, logKey, checkpointsAsReturned: checkpoints.size, finalSize, statementBytes: endorsements.reduce((n, e) => n + e.statement.byteLength, 0) };
}

// ---------------------------------------------------------------------------------------------
// The floor: openssl speed on this machine.

// ---------------------------------------------------------------------------------------------
// Timing helpers: every measurement covers all endorsements in one pass; medians over `runs` passes.

function pass(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

const fmtMs = (t: number) => `${t.toFixed(0)} ms`;
const us = (t: number, n: number) => `${((t * 1000) / n).toFixed(0)} µs`;

const setupStart = performance.now();
const { endorsements, policy, keys, logKey, checkpointsAsReturned, finalSize, statementBytes: totalStatementBytes } = await setup();
const setupSeconds = (performance.now() - setupStart) / 1000;
const N = endorsements.length;
const ALL = endorsements.map((_, i) => i);

function verifyAll(which: "finalTree" | "asReturned", indices: readonly number[] = ALL): void {
  for (const i of indices) {
    const e = endorsements[i]!;
    const evidence = loggedFromLogEntry(e.statement, e.signature, e[which], `logentry ${i}`);
    const verdict = verifyEndorsement(evidence, policy);
    if (!verdict.verified) throw new Error(`endorsement ${i} (${e.component}) did not verify: ${verdict.failure!.check}: ${verdict.failure!.message}`);
  }
}

const before = opensslVerifiesPerSecond("ecdsap256");
// The first pass runs on cold code (what one `reftrail verify release` process pays); then the
// two proof variants interleaved, run by run.
const firstPass = pass(() => verifyAll("finalTree"));
const finalTimes: number[] = [];
const returnedTimes: number[] = [];
for (let r = 0; r < runs; r++) {
  finalTimes.push(pass(() => verifyAll("finalTree")));
  returnedTimes.push(pass(() => verifyAll("asReturned")));
}
const after = opensslVerifiesPerSecond("ecdsap256");

// ---------------------------------------------------------------------------------------------
// Where the time goes: the verifier's steps one at a time over the same (final-tree) data. The
// inputs each step needs are prepared outside the timed pass, so the steps add up to about the total.

const evidence: LoggedEndorsement[] = endorsements.map((e, i) => loggedFromLogEntry(e.statement, e.signature, e.finalTree, `logentry ${i}`));
const componentKey = endorsements.map((e) => keys.get(e.component)!.publicKey);
// The registry's KeyObjects (parsed from its PEM), as the verifier uses them.
const registryKeys = policy.keys.kind === "registry" ? policy.keys.registry.keysByComponent : new Map<string, never>();
const registryKey = endorsements.map((e) => registryKeys.get(e.component)![0]!.key);
const logIdentityTrusted = policy.logs[0]!;
const leaves = evidence.map((ev) => entryLeaf(ev.entry));
const specs = leaves.map((l) => ProposedEntry.parse(JSON.parse(Buffer.from(l.body).toString("utf8"))));
const checkpoints = evidence.map((ev) => checkProofCheckpoint(ev.entry.verification.inclusionProof!, logIdentityTrusted.identity, logIdentityTrusted.name).checkpoint);
// The three signed messages and signatures, for node:crypto alone.
const setMessages = evidence.map((ev) => setPayloadBytes({ body: ev.entry.body, integratedTime: ev.entry.integratedTime, logID: ev.entry.logID, logIndex: ev.entry.logIndex }));
const setSignatures = evidence.map((ev) => Buffer.from(ev.entry.verification.signedEntryTimestamp!, "base64"));
const checkpointParts = evidence.map((ev) => {
  const { body, signatures } = parseCheckpoint(ev.entry.verification.inclusionProof!.checkpoint);
  return { body: Buffer.from(body), signature: signatures[0]!.blob.subarray(4) };
});
const statementDigests = endorsements.map((e) => createHash("sha256").update(e.statement).digest());
const setDigests = setMessages.map((m) => createHash("sha256").update(m).digest());
const checkpointDigests = checkpointParts.map((c) => createHash("sha256").update(c.body).digest());
const componentVk = new Map([...keys].map(([name, pair]) => [name, verificationKey(pair.publicKey)]));
const logVk = verificationKey(logKey);

const steps: [string, () => void][] = [
  ["parse logentry.json into evidence (JSON + zod)", () => evidence.forEach((_, i) => loggedFromLogEntry(endorsements[i]!.statement, endorsements[i]!.signature, endorsements[i]!.finalTree, "x"))],
  ["registry lookup: claimedComponent (JSON + zod of the statement)", () => endorsements.forEach((e) => claimedComponent(e.statement))],
  ["STATEMENT_SIGNATURE: SHA-256 of the statement + ECDSA #1", () => endorsements.forEach((e, i) => verifyStatementSignature(e.statement, e.signature, registryKey[i]!))],
  ["STATEMENT_TYPE: readEndorsement (JSON + zod of the statement)", () => endorsements.forEach((e) => readEndorsement(e.statement))],
  ["SET: body base64 + leaf hash + RFC 8785 payload + ECDSA #2", () => evidence.forEach((ev) => {
    entryLeaf(ev.entry);
    checkEntrySet(ev.entry, logIdentityTrusted.identity.publicKey);
  })],
  ["BODY_KIND: JSON + zod of the log body", () => leaves.forEach((l) => ProposedEntry.safeParse(JSON.parse(Buffer.from(l.body).toString("utf8"))))],
  ["BODY_HASH: SHA-256 of the statement (again)", () => endorsements.forEach((e) => createHash("sha256").update(e.statement).digest())],
  ["BODY_KEY: entryKey (cached) + sameKey (2 JWK exports)", () => specs.forEach((s, i) => sameKey(entryKey(s.spec.signature.publicKey.content).key, registryKey[i]!))],
  ["CHECKPOINT_SIGNATURE: parse + ECDSA #3", () => evidence.forEach((ev) => checkProofCheckpoint(ev.entry.verification.inclusionProof!, logIdentityTrusted.identity, logIdentityTrusted.name))],
  ["INCLUSION_PROOF: Merkle path", () => evidence.forEach((ev, i) => checkInclusion(ev.entry.verification.inclusionProof!, leaves[i]!.leaf, checkpoints[i]!))],
];
const floors: [string, () => void][] = [
  ["3 × crypto.verify on the same messages (node:crypto: hashes each, then ECDSA)", () => {
    for (let i = 0; i < N; i++) {
      const ok =
        verify("sha256", endorsements[i]!.statement, componentKey[i]!, endorsements[i]!.signature) &&
        verify("sha256", setMessages[i]!, logKey, setSignatures[i]!) &&
        verify("sha256", checkpointParts[i]!.body, logKey, checkpointParts[i]!.signature);
      if (!ok) throw new Error(`signature ${i} does not verify`);
    }
  }],
  ["  of which SHA-256 of the statements", () => endorsements.forEach((e) => createHash("sha256").update(e.statement).digest())],
  ...(PREHASHED_BACKEND === "openssl"
    ? [["3 × ECDSA over the 32-byte digests, prepared keys (Node's OpenSSL, native module)", () => {
        for (let i = 0; i < N; i++) {
          const ok =
            verifyPrehashed(componentVk.get(endorsements[i]!.component)!, statementDigests[i]!, endorsements[i]!.signature) === "valid" &&
            verifyPrehashed(logVk, setDigests[i]!, setSignatures[i]!) === "valid" &&
            verifyPrehashed(logVk, checkpointDigests[i]!, checkpointParts[i]!.signature) === "valid";
          if (!ok) throw new Error(`digest signature ${i} does not verify`);
        }
      }] as [string, () => void]]
    : []),
];
const measure = (list: [string, () => void][]) => {
  list.forEach(([, fn]) => fn()); // warm-up
  const times = list.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) list.forEach(([, fn], j) => times[j]!.push(pass(fn)));
  return list.map(([name], j) => [name, median(times[j]!)] as const);
};
const stepTimes = measure(steps);
// The same verification restricted to one component at a time: statement size is what differs.
const byComponent = [...new Set(endorsements.map((e) => e.component))].map((component) => {
  const indices = ALL.filter((i) => endorsements[i]!.component === component);
  return { component, indices, bytes: endorsements[indices[0]!]!.statement.byteLength };
});
const componentTimes = measure(byComponent.map(({ component, indices }) => [component, () => verifyAll("finalTree", indices)]));
const floorTimes = measure(floors);

// ---------------------------------------------------------------------------------------------

const total = median(finalTimes);
const totalReturned = median(returnedTimes);
const perEndorsement = total / N;
const sslRates = [before, after].filter((x) => x !== undefined);
const sslRate = sslRates.length ? sslRates.reduce((a, b) => a + b.perSecond, 0) / sslRates.length : undefined;
const floorMs = sslRate ? (3 / sslRate) * 1000 : undefined;
const kinds = new Map<string, number>();
endorsements.forEach((e) => kinds.set(e.component, (kinds.get(e.component) ?? 0) + 1));
const stepSum = stepTimes.reduce((a, [, t]) => a + t, 0);

process.stdout.write(
  [
    `${N} endorsements (${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}; statements ${(totalStatementBytes / N / 1024).toFixed(1)} KiB on average, ${(totalStatementBytes / 1048576).toFixed(1)} MiB in all), key registry of ${keys.size} component keys, embedded log of ${finalSize} entries (setup, not timed: ${setupSeconds.toFixed(1)} s); Node ${process.version} (OpenSSL ${process.versions.openssl}), ${runs} runs, ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| measurement | total (median) | per endorsement | runs |",
    "|---|---|---|---|",
    `| **logentry.json text → evidence → verifyEndorsement, proofs against the final tree** (1 checkpoint) | ${fmtMs(total)} | **${us(total, N)}** | ${finalTimes.map(fmtMs).join(", ")} |`,
    `| the same, proofs as returned at logging time (${checkpointsAsReturned} distinct checkpoints) | ${fmtMs(totalReturned)} | ${us(totalReturned, N)} | ${returnedTimes.map(fmtMs).join(", ")} |`,
    `| first pass in the process (cold code, final-tree proofs) | ${fmtMs(firstPass)} | ${us(firstPass, N)} | |`,
    "",
    sslRate && floorMs
      ? `Floor: \`openssl speed -seconds 3 ecdsap256\` (${before?.version ?? after?.version}) verifies ${sslRates.map((r) => r.perSecond.toFixed(0)).join(" (before) and ")}${sslRates.length > 1 ? " (after)" : ""} P-256 signatures per second; 3 per endorsement = **${(floorMs * 1000).toFixed(0)} µs**. Ratio: **${(perEndorsement / floorMs).toFixed(2)}x** the floor (as-returned proofs: ${(totalReturned / N / floorMs).toFixed(2)}x).`
      : "Floor: `openssl speed` is not available here; no ratio.",
    "",
    `Where the time goes (each step alone over the same ${N}, medians):`,
    "",
    "| step | total | per endorsement |",
    "|---|---|---|",
    ...stepTimes.map(([name, t]) => `| ${name} | ${fmtMs(t)} | ${us(t, N)} |`),
    `| sum of the steps (the rest is verdict assembly, times, lookups) | ${fmtMs(stepSum)} | ${us(stepSum, N)} |`,
    "",
    "| verifyEndorsement (with evidence parsing) by component | statement | per endorsement |",
    "|---|---|---|",
    ...byComponent.map(({ component, indices, bytes }, j) => `| ${component} (${indices.length}) | ${(bytes / 1024).toFixed(1)} KiB | ${us(componentTimes[j]![1], indices.length)} |`),
    "",
    "| signature work alone | total | per endorsement |",
    "|---|---|---|",
    ...floorTimes.map(([name, t]) => `| ${name} | ${fmtMs(t)} | ${us(t, N)} |`),
    "",
  ].join("\n"),
);
