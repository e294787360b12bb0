import { createHash, createPublicKey, sign, generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LogEntryResponse, type LogEntry } from "../../src/schema/rekor.js";
import { verifyCheckpoint, parseCheckpoint } from "../../src/tlog/checkpoint.js";
import { canonicalizeEntry } from "../../src/tlog/kinds/entries.js";
import { logIdentity } from "../../src/tlog/keys.js";
import { verifyLogEntry, type TrustedLog } from "../../src/tlog/verify-entry.js";
import { COMMITTED } from "../helpers/fixtures.js";

const dir = join(COMMITTED, "sigstore");
const read = (p: string) => readFileSync(join(dir, p));
const rekor: TrustedLog = { identity: logIdentity(createPublicKey(read("oak/rekor_public_key.pem"))), name: "rekor.sigstore.dev" };

/** Oak's real public-good Rekor entry (kind rekord, logIndex 132193865, shard 1193050959916656506). */
const oakResponse = LogEntryResponse.parse(JSON.parse(read("oak/logentry.json").toString()));
const [oakId, oakEntry] = Object.entries(oakResponse)[0]!;

describe("real public-good Rekor entries", () => {
  it("the log id is SHA-256 of the public-good key (trusted root: c0d23d6a…)", () => {
    expect(rekor.identity.logId).toBe("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
  });

  it("Oak's entry verifies: SET, inclusion proof, checkpoint and origin", () => {
    const verified = verifyLogEntry(oakId, oakEntry, rekor);
    expect(verified.treeId).toBe(1193050959916656506n);
    expect(verified.checkpoint.size).toBe(10289604);
    expect(JSON.parse(verified.body.toString()).spec.data.hash.value).toBe(createHash("sha256").update(read("oak/endorsement.json")).digest("hex"));
  });

  const tamper = (mutate: (e: LogEntry) => void): LogEntry => {
    const copy = structuredClone(oakEntry);
    mutate(copy);
    return copy;
  };
  const flipHex = (h: string) => (h[0] === "0" ? "1" : "0") + h.slice(1);
  const cases: [string, string, () => void][] = [
    ["body", "ENTRY_INVALID", () => verifyLogEntry(oakId, tamper((e) => (e.body = Buffer.from(Buffer.from(e.body, "base64").toString().replace("x509", "pgp!")).toString("base64"))), rekor)],
    ["integratedTime", "SET_SIGNATURE", () => verifyLogEntry(oakId, tamper((e) => (e.integratedTime += 1)), rekor)],
    ["logIndex (global, under the SET)", "SET_SIGNATURE", () => verifyLogEntry(oakId, tamper((e) => (e.logIndex += 1)), rekor)],
    ["SET", "SET_SIGNATURE", () => verifyLogEntry(oakId, tamper((e) => (e.verification.signedEntryTimestamp = sign("sha256", Buffer.from("x"), generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey).toString("base64"))), rekor)],
    ["an inclusion proof hash", "INCLUSION_PROOF", () => verifyLogEntry(oakId, tamper((e) => (e.verification.inclusionProof!.hashes[3] = flipHex(e.verification.inclusionProof!.hashes[3]!))), rekor)],
    ["the proof's shard index", "INCLUSION_PROOF", () => verifyLogEntry(oakId, tamper((e) => (e.verification.inclusionProof!.logIndex += 1)), rekor)],
    ["the proof's root hash", "INCLUSION_PROOF", () => verifyLogEntry(oakId, tamper((e) => (e.verification.inclusionProof!.rootHash = flipHex(e.verification.inclusionProof!.rootHash))), rekor)],
    ["the checkpoint's size", "CHECKPOINT_SIGNATURE", () => verifyLogEntry(oakId, tamper((e) => (e.verification.inclusionProof!.checkpoint = e.verification.inclusionProof!.checkpoint.replace("\n10289604\n", "\n10289605\n"))), rekor)],
    ["the checkpoint's signature", "CHECKPOINT_SIGNATURE", () => verifyLogEntry(oakId, tamper((e) => (e.verification.inclusionProof!.checkpoint = e.verification.inclusionProof!.checkpoint.replace(/wNI9aj[A-Za-z]/, (m) => m.slice(0, 6) + (m[6] === "A" ? "B" : "A")))), rekor)],
    ["the log id", "LOG_KEY", () => verifyLogEntry(oakId, tamper((e) => (e.logID = flipHex(e.logID))), rekor)],
    ["the entry id's leaf", "ENTRY_INVALID", () => verifyLogEntry(flipHex(oakId.slice(16)).padStart(80, oakId.slice(0, 16)), oakEntry, rekor)],
    ["the entry id's tree id", "CHECKPOINT_ORIGIN", () => verifyLogEntry(flipHex(oakId), oakEntry, rekor)],
    ["a non-canonical body encoding", "SET_FORMAT", () => verifyLogEntry(oakId, tamper((e) => (e.body = `${e.body.slice(0, 12)}\n${e.body.slice(12)}`)), rekor)],
  ];
  for (const [what, code, run] of cases) {
    it(`changing ${what} is rejected (${code})`, () => expect(run).toThrow(expect.objectContaining({ code })));
  }

  it("another log's key or name does not verify it", () => {
    const other: TrustedLog = { identity: logIdentity(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey), name: "rekor.sigstore.dev" };
    expect(() => verifyLogEntry(oakId, oakEntry, other)).toThrow(expect.objectContaining({ code: "LOG_KEY" }));
    expect(() => verifyCheckpoint(oakEntry.verification.inclusionProof!.checkpoint, rekor.identity, "rekor.example")).toThrow(expect.objectContaining({ code: "CHECKPOINT_SIGNATURE" }));
  });

  it("the checkpoint parses as a signed note", () => {
    const { checkpoint, signatures } = parseCheckpoint(oakEntry.verification.inclusionProof!.checkpoint);
    expect(checkpoint.origin).toBe("rekor.sigstore.dev - 1193050959916656506");
    expect(signatures[0]!.name).toBe("rekor.sigstore.dev");
  });
});

describe("canonical bodies are the ones public Rekor stored", () => {
  const roundTrip = (body: Buffer) => {
    const stored = JSON.parse(body.toString()) as { kind: "hashedrekord" | "rekord"; apiVersion: "0.0.1"; spec: never };
    return Buffer.from(canonicalizeEntry(stored).body);
  };
  it("rekord (Oak's endorsement)", () => {
    const body = Buffer.from(oakEntry.body, "base64");
    expect(roundTrip(body).equals(body)).toBe(true);
  });
  it("hashedrekord (sigstore-conformance managed-key bundle)", () => {
    const bundle = JSON.parse(read("conformance/managed-key-happy-path/bundle.sigstore.json").toString()) as { verificationMaterial: { tlogEntries: { canonicalizedBody: string }[] } };
    const body = Buffer.from(bundle.verificationMaterial.tlogEntries[0]!.canonicalizedBody, "base64");
    expect(roundTrip(body).equals(body)).toBe(true);
  });
  it("a signature that does not match the digest is refused", () => {
    const stored = JSON.parse(Buffer.from(oakEntry.body, "base64").toString()) as { kind: "rekord"; apiVersion: "0.0.1"; spec: { data: { hash: { value: string } } } };
    stored.spec.data.hash.value = "0".repeat(64);
    expect(() => canonicalizeEntry(stored as never)).toThrow(expect.objectContaining({ code: "ENTRY_SIGNATURE" }));
  });
});
