import { createHash } from "node:crypto";
import type { ProposedEntry } from "../schema/rekor.js";
import { LogEntryResponse, type LogEntry } from "../schema/rekor.js";
import { parseDocument } from "../schema/parse.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { toHex } from "../util/bytes.js";
import { ReftrailError } from "../util/errors.js";
import { secondsToNs, formatRfc3339 } from "../util/rfc3339.js";
import { messageSignatureBundle } from "../tlog/bundle.js";
import type { RekorClient } from "../tlog/client.js";
import type { TrustedLogKey } from "../verify/endorsement/evidence.js";
import { verifyEndorsement } from "../verify/endorsement/verifier.js";
import { EndorseError } from "./errors.js";
import { endorsementPath, readEndorsementFile } from "./files.js";
import { keyHintOf, keyIdOf, parsePublicKey } from "./keys.js";
import { verifyStatementSignature } from "./sign.js";

export interface PublishedComponent {
  readonly dir: string;
  /** "logged": a new entry; "existing": the log already held it (409); "unchanged": logentry.json was already there and verifies. */
  readonly status: "logged" | "existing" | "unchanged";
  readonly entryId: string;
  readonly logIndex: number;
  readonly integratedTime: string;
}

interface SignedFiles {
  readonly statement: Uint8Array;
  readonly signature: Uint8Array;
  readonly publicKeyPem: string;
}

function readSigned(dir: string): SignedFiles & { key: ReturnType<typeof parsePublicKey> } {
  const statement = readEndorsementFile(dir, "statement");
  const signature = readEndorsementFile(dir, "signature");
  const pem = readEndorsementFile(dir, "publicKey");
  for (const [file, data] of [["statement", statement], ["signature", signature], ["publicKey", pem]] as const) {
    if (data === undefined) throw new EndorseError("ENDORSEMENT_INVALID", "is missing", endorsementPath(dir, file));
  }
  const publicKeyPem = pem!.toString("utf8");
  let key;
  try {
    key = parsePublicKey(publicKeyPem, endorsementPath(dir, "publicKey"));
  } catch (err) {
    throw err instanceof ReftrailError ? err.about(endorsementPath(dir, "publicKey")) : err;
  }
  if (!verifyStatementSignature(statement!, signature!, key)) {
    throw new EndorseError("ENDORSEMENT_INVALID", "does not verify over endorsement.json with public_key.pem: refusing to publish it", endorsementPath(dir, "signature"));
  }
  return { statement: statement!, signature: signature!, publicKeyPem, key };
}

/** The hashedrekord 0.0.1 entry Rekor logs for a signed statement (what MessageSignatureBundleBuilder sends). */
export function hashedRekordFor(files: SignedFiles): ProposedEntry {
  return {
    kind: "hashedrekord",
    apiVersion: "0.0.1",
    spec: {
      data: { hash: { algorithm: "sha256", value: toHex(createHash("sha256").update(files.statement).digest()) } },
      signature: { content: Buffer.from(files.signature).toString("base64"), publicKey: { content: Buffer.from(files.publicKeyPem).toString("base64") } },
    },
  };
}

/** Runs the full offline verification on an entry, at its own integration time; throws on any failure. */
function checkEntry(files: ReturnType<typeof readSigned>, entryId: string, entry: LogEntry, log: TrustedLogKey): void {
  const verdict = verifyEndorsement(
    { statement: files.statement, signature: files.signature, entry, entryId, form: "logentry" },
    { keys: { kind: "keys", keys: [{ key: files.key, keyId: keyIdOf(files.key), source: "public_key.pem" }] }, logs: [log], at: secondsToNs(entry.integratedTime), requiredClaims: [], allowSetOnly: false },
  );
  if (!verdict.verified) throw new EndorseError("PUBLISH_FAILED", `the log entry does not verify: ${verdict.failure!.check}: ${verdict.failure!.message}`);
}

function writeEntryFiles(dir: string, files: SignedFiles & { key: ReturnType<typeof parsePublicKey> }, entryId: string, entry: LogEntry): void {
  writeFileAtomic(endorsementPath(dir, "logEntry"), `${JSON.stringify({ [entryId]: entry }, null, 2)}\n`);
  const bundle = messageSignatureBundle(entry, createHash("sha256").update(files.statement).digest(), files.signature, keyHintOf(files.key));
  writeFileAtomic(endorsementPath(dir, "bundle"), `${JSON.stringify(bundle, null, 2)}\n`);
}

/**
 * Logs one signed component folder and writes `logentry.json` and `endorsement.sigstore.json`
 * beside it. Idempotent: a folder whose log entry is already there and verifies is left alone
 * (its bundle is rewritten only if missing); an entry the log already holds (409) is fetched and
 * reused. Every entry the log returns is verified (SET, inclusion proof, checkpoint, body) before
 * anything is written.
 */
export async function publishEndorsement(dir: string, client: RekorClient, log: TrustedLogKey): Promise<PublishedComponent> {
  const files = readSigned(dir);
  const existing = readEndorsementFile(dir, "logEntry");
  if (existing !== undefined) {
    const response = parseDocument(LogEntryResponse, existing.toString("utf8"), endorsementPath(dir, "logEntry"));
    const [entryId, entry] = Object.entries(response)[0]!;
    try {
      checkEntry(files, entryId, entry, log);
    } catch (err) {
      throw err instanceof ReftrailError ? new EndorseError("PUBLISH_FAILED", `exists but ${err.message.replace(/^the log entry /, "")} (logged elsewhere? remove it to publish to ${client.transport.description})`, endorsementPath(dir, "logEntry")) : err;
    }
    if (readEndorsementFile(dir, "bundle") === undefined) writeEntryFiles(dir, files, entryId, entry);
    return { dir, status: "unchanged", entryId, logIndex: entry.logIndex, integratedTime: formatRfc3339(secondsToNs(entry.integratedTime)) };
  }
  let created;
  try {
    created = await client.createEntry(hashedRekordFor(files));
    checkEntry(files, created.entryId, created.entry, log);
  } catch (err) {
    if (err instanceof ReftrailError) throw new EndorseError("PUBLISH_FAILED", `publishing to ${client.transport.description} failed: ${err.message}`, dir);
    throw err;
  }
  writeEntryFiles(dir, files, created.entryId, created.entry);
  return {
    dir,
    status: created.created ? "logged" : "existing",
    entryId: created.entryId,
    logIndex: created.entry.logIndex,
    integratedTime: formatRfc3339(secondsToNs(created.entry.integratedTime)),
  };
}
