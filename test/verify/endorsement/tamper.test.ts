import { generateKeyPairSync, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { LogEntry } from "../../../src/schema/rekor.js";
import { loggedFromLogEntry } from "../../../src/tlog/read-logged.js";
import type { LoggedEndorsement } from "../../../src/tlog/logged-endorsement.js";
import { verifyEndorsement } from "../../../src/verify/endorsement/verifier.js";
import { logIdentity } from "../../../src/tlog/keys.js";
import { parseRfc3339 } from "../../../src/util/rfc3339.js";
import { PUBLIC_GOOD, keyPolicy, oakTestdata } from "../../helpers/endorse.js";

/**
 * Every byte of Oak's real evidence is changed in turn; each change must be rejected by the check
 * that guards that byte. The expected check per field is fixed here from the verification design
 * (what signs or commits to the field), not read back from the verifier.
 */
const { key, statement, signature, logEntry } = oakTestdata();
const AT = parseRfc3339("2024-10-01T00:00:00Z")!;
const policy = keyPolicy(key, [PUBLIC_GOOD], AT);
const [entryId, entry] = Object.entries(JSON.parse(logEntry) as Record<string, LogEntry>)[0]!;

function withEntry(mutate: (e: LogEntry) => void, id = entryId): LoggedEndorsement {
  const copy = structuredClone(entry);
  mutate(copy);
  return loggedFromLogEntry(statement, signature, JSON.stringify({ [id]: copy }), "logentry.json");
}

const failed = (ev: LoggedEndorsement) => verifyEndorsement(ev, policy).failure?.check;
const flipBit = (bytes: Uint8Array, i: number, bit = 0): Buffer => {
  const copy = Buffer.from(bytes);
  copy[i]! ^= 1 << bit;
  return copy;
};
const flipHex = (hex: string, i: number) => hex.slice(0, i) + ((parseInt(hex[i]!, 16) ^ 1).toString(16)) + hex.slice(i + 1);

describe("tampering with Oak's real endorsement evidence", () => {
  it("the untouched evidence verifies (the baseline every case below departs from)", () => {
    expect(failed(withEntry(() => {}))).toBeUndefined();
  });

  it("every byte of the statement: STATEMENT_SIGNATURE", () => {
    const codes = new Set<string | undefined>();
    for (let i = 0; i < statement.byteLength; i++) {
      codes.add(failed(loggedFromLogEntry(flipBit(statement, i), signature, logEntry, "logentry.json")));
    }
    expect([...codes]).toEqual(["STATEMENT_SIGNATURE"]);
  });

  it("the statement truncated at every length, or extended: STATEMENT_SIGNATURE", () => {
    const codes = new Set<string | undefined>();
    for (let n = 0; n < statement.byteLength; n += 7) codes.add(failed(loggedFromLogEntry(statement.subarray(0, n), signature, logEntry, "l")));
    codes.add(failed(loggedFromLogEntry(Buffer.concat([statement, Buffer.from("\n")]), signature, logEntry, "l")));
    expect([...codes]).toEqual(["STATEMENT_SIGNATURE"]);
  });

  it("every bit of the signature, and its truncations: STATEMENT_SIGNATURE", () => {
    const codes = new Set<string | undefined>();
    for (let i = 0; i < signature.byteLength; i++) for (let bit = 0; bit < 8; bit++) codes.add(failed(loggedFromLogEntry(statement, flipBit(signature, i, bit), logEntry, "l")));
    for (let n = 0; n < signature.byteLength; n++) codes.add(failed(loggedFromLogEntry(statement, signature.subarray(0, n), logEntry, "l")));
    expect([...codes]).toEqual(["STATEMENT_SIGNATURE"]);
  });

  it("a raw r||s signature (what WebCrypto produces) is refused", () => {
    const raw = Buffer.alloc(64, 1);
    expect(failed(loggedFromLogEntry(statement, raw, logEntry, "l"))).toBe("STATEMENT_SIGNATURE");
  });

  it("every byte of the log body: SET (the SET signs the body)", () => {
    const body = Buffer.from(entry.body, "base64");
    const codes = new Set<string | undefined>();
    for (let i = 0; i < body.byteLength; i++) codes.add(failed(withEntry((e) => (e.body = flipBit(body, i).toString("base64")))));
    expect([...codes]).toEqual(["SET"]);
  });

  it("integratedTime and the global logIndex: SET", () => {
    expect(failed(withEntry((e) => (e.integratedTime += 1)))).toBe("SET");
    expect(failed(withEntry((e) => (e.integratedTime -= 1)))).toBe("SET");
    expect(failed(withEntry((e) => (e.logIndex += 1)))).toBe("SET");
  });

  it("every bit of the SET: SET", () => {
    const set = Buffer.from(entry.verification.signedEntryTimestamp!, "base64");
    const codes = new Set<string | undefined>();
    for (let i = 0; i < set.byteLength; i++) for (const bit of [0, 7]) codes.add(failed(withEntry((e) => (e.verification.signedEntryTimestamp = flipBit(set, i, bit).toString("base64")))));
    expect([...codes]).toEqual(["SET"]);
  });

  it("every digit of the logID: LOG_ID", () => {
    const codes = new Set<string | undefined>();
    for (let i = 0; i < 64; i++) codes.add(failed(withEntry((e) => (e.logID = flipHex(e.logID, i)))));
    expect([...codes]).toEqual(["LOG_ID"]);
  });

  it("every digit of the entry id's leaf hash: ENTRY_ID; of its tree id: CHECKPOINT_ORIGIN", () => {
    const leafCodes = new Set<string | undefined>();
    for (let i = 16; i < 80; i++) leafCodes.add(failed(withEntry(() => {}, flipHex(entryId, i))));
    expect([...leafCodes]).toEqual(["ENTRY_ID"]);
    const treeCodes = new Set<string | undefined>();
    for (let i = 0; i < 16; i++) treeCodes.add(failed(withEntry(() => {}, flipHex(entryId, i))));
    expect([...treeCodes]).toEqual(["CHECKPOINT_ORIGIN"]);
  });

  it("every digit of every inclusion-proof hash, the root hash, the tree size, the proof index: INCLUSION_PROOF", () => {
    const codes = new Set<string | undefined>();
    const proof = entry.verification.inclusionProof!;
    proof.hashes.forEach((h, j) => {
      for (let i = 0; i < 64; i++) codes.add(failed(withEntry((e) => (e.verification.inclusionProof!.hashes[j] = flipHex(h, i)))));
    });
    for (let i = 0; i < 64; i++) codes.add(failed(withEntry((e) => (e.verification.inclusionProof!.rootHash = flipHex(proof.rootHash, i)))));
    codes.add(failed(withEntry((e) => (e.verification.inclusionProof!.treeSize += 1))));
    codes.add(failed(withEntry((e) => (e.verification.inclusionProof!.treeSize -= 1))));
    codes.add(failed(withEntry((e) => (e.verification.inclusionProof!.logIndex += 1))));
    codes.add(failed(withEntry((e) => (e.verification.inclusionProof!.logIndex -= 1))));
    codes.add(failed(withEntry((e) => e.verification.inclusionProof!.hashes.pop())));
    codes.add(failed(withEntry((e) => e.verification.inclusionProof!.hashes.push(proof.hashes[0]!))));
    codes.add(failed(withEntry((e) => e.verification.inclusionProof!.hashes.reverse())));
    expect([...codes]).toEqual(["INCLUSION_PROOF"]);
  });

  it("every character of the checkpoint: CHECKPOINT_SIGNATURE", () => {
    const note = entry.verification.inclusionProof!.checkpoint;
    const codes = new Set<string | undefined>();
    const chars = [...note];
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      const swapped = c === "a" ? "b" : c === "\n" ? " " : c === "\u2014" ? "-" : "a";
      const changed = [...chars.slice(0, i), swapped, ...chars.slice(i + 1)].join("");
      codes.add(failed(withEntry((e) => (e.verification.inclusionProof!.checkpoint = changed))));
    }
    expect([...codes]).toEqual(["CHECKPOINT_SIGNATURE"]);
  });

  it("a checkpoint re-signed by another key, or for another origin, is refused", () => {
    // A self-consistent checkpoint from another key: CHECKPOINT_SIGNATURE (the log key did not sign it).
    const note = entry.verification.inclusionProof!.checkpoint;
    const body = note.slice(0, note.indexOf("\n\n") + 1);
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const other = logIdentity(publicKey);
    const sig = sign("sha256", Buffer.from(body), privateKey);
    const forged = `${body}\n\u2014 rekor.sigstore.dev ${Buffer.concat([other.keyHint, sig]).toString("base64")}\n`;
    expect(failed(withEntry((e) => (e.verification.inclusionProof!.checkpoint = forged)))).toBe("CHECKPOINT_SIGNATURE");
    // The right key under the wrong name: no signature line by that name.
    const wrongName = { ...PUBLIC_GOOD, name: "rekor.example.com" };
    expect(verifyEndorsement(withEntry(() => {}), keyPolicy(key, [wrongName], AT)).failure?.check).toBe("CHECKPOINT_SIGNATURE");
  });

  it("the component key or the Rekor key replaced: STATEMENT_SIGNATURE / LOG_ID", () => {
    const otherKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
    expect(verifyEndorsement(withEntry(() => {}), keyPolicy(otherKey, [PUBLIC_GOOD], AT)).failure?.check).toBe("STATEMENT_SIGNATURE");
    const otherLog = { ...PUBLIC_GOOD, identity: logIdentity(otherKey) };
    expect(verifyEndorsement(withEntry(() => {}), keyPolicy(key, [otherLog], AT)).failure?.check).toBe("LOG_ID");
  });

  it("missing SET or proof: SET / INCLUSION_PROOF", () => {
    expect(failed(withEntry((e) => delete e.verification.signedEntryTimestamp))).toBe("SET");
    expect(failed(withEntry((e) => delete e.verification.inclusionProof))).toBe("INCLUSION_PROOF");
  });

  it("malformed log-entry files are input errors, never verdicts", () => {
    expect(() => loggedFromLogEntry(statement, signature, "{", "logentry.json")).toThrow(/not valid JSON/);
    expect(() => loggedFromLogEntry(statement, signature, "{}", "logentry.json")).toThrow(/exactly one entry/);
    expect(() => loggedFromLogEntry(statement, signature, JSON.stringify({ [entryId]: entry, [flipHex(entryId, 20)]: entry }), "logentry.json")).toThrow(/exactly one entry/);
    expect(() => loggedFromLogEntry(statement, signature, JSON.stringify({ [entryId]: { ...entry, extra: 1 } }), "logentry.json")).toThrow(/extra/);
    expect(() => loggedFromLogEntry(statement, signature, JSON.stringify({ [entryId]: { ...entry, body: "not base64!" } }), "logentry.json")).toThrow(/body/);
    for (let n = 0; n < logEntry.length; n += 97) expect(() => loggedFromLogEntry(statement, signature, logEntry.slice(0, n), "logentry.json")).toThrow();
  });
});
