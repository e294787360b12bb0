import { createHash } from "node:crypto";
import { basename } from "node:path";
import type { ProposedEntry } from "../schema/rekor.js";
import { LogEntryResponse, type LogEntry } from "../schema/rekor.js";
import { parseDocument } from "../schema/parse.js";
import { writeFileAtomic } from "../util/atomic-write.js";
import { toHex } from "../util/bytes.js";
import { ReftrailError } from "../util/errors.js";
import { secondsToNs, formatRfc3339 } from "../util/rfc3339.js";
import { messageSignatureBundle } from "../tlog/bundle.js";
import type { RekorClient } from "../tlog/client.js";
import type { TrustedLogKey } from "../tlog/keys.js";
import type { LoggedEndorsement } from "../tlog/logged-endorsement.js";
import { loggedFromBundle } from "../tlog/read-logged.js";
import { keyHintOf, keyIdOf, parsePublicKey } from "../keys/component-keys.js";
import type { KeySource } from "../keys/key-source.js";
import type { LoadedRegistry } from "../keys/registry.js";
import { verifyStatementSignature } from "../keys/signature.js";
import { EndorseError } from "./errors.js";
import { endorsementPath, readEndorsementFile } from "./files.js";

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

/**
 * The verifier's judgement that publishing relies on. It is passed in because endorse comes before
 * verify and must not import it: verify/endorsement/publish-gate.ts gives reftrail's own verifier in
 * this shape, and publishes with it.
 */
export interface PublishGate {
  /**
   * The checks that need no log, for a statement about to be logged at `at`: the first failure as
   * "CHECK: message" (absent when they all hold), and the component its reftrail values name.
   */
  beforeLogging(signed: Pick<LoggedEndorsement, "statement" | "signature">, keys: KeySource, at: bigint): { readonly failure?: string; readonly component?: string };
  /** Every check of a logged endorsement, at its own integration time: the first failure as "CHECK: message", or undefined. */
  logged(logged: LoggedEndorsement, keys: KeySource, log: TrustedLogKey): string | undefined;
}

/** Where publishing takes its keys and time from. */
export interface PublishOptions {
  /** The publication time (now), ns since the epoch: the statement must be valid then. */
  readonly now: bigint;
  /** With a key registry, the signing key must be registered for the component, for `now`. */
  readonly registry?: { readonly loaded: LoadedRegistry; readonly source: string };
}

type Signed = ReturnType<typeof readSigned>;

function keySource(files: Signed, options: PublishOptions): KeySource {
  if (options.registry !== undefined) return { kind: "registry", registry: options.registry.loaded, source: options.registry.source };
  return { kind: "keys", keys: [{ key: files.key, keyId: keyIdOf(files.key), source: "public_key.pem" }] };
}

/**
 * Refuses, before anything is submitted, what reftrail's own verifier would reject: an entry in an
 * append-only log cannot be taken back, and one that can never verify leaves a folder that can
 * never be completed. The statement is read as the verifier reads it (strict JSON, Oak's rules,
 * reftrail's predicate), must be valid now, signed by the component's key (registered for now,
 * with a registry), and sit in the folder named after its component.
 */
function checkBeforeLogging(dir: string, files: Signed, gate: PublishGate, options: PublishOptions): void {
  const { failure, component } = gate.beforeLogging(files, keySource(files, options), options.now);
  if (failure !== undefined) {
    throw new EndorseError("ENDORSEMENT_INVALID", `${failure}: refusing to log an endorsement that cannot verify`, endorsementPath(dir, "statement"));
  }
  if (component !== undefined && component !== basename(dir)) {
    throw new EndorseError("ENDORSEMENT_INVALID", `endorses '${component}' but sits in the folder '${basename(dir)}' (verify release would fail RELEASE_FOLDER): refusing to log it`, endorsementPath(dir, "statement"));
  }
}

/** Runs the full offline verification on an entry, at its own integration time; throws on any failure. */
function checkEntry(files: Signed, entryId: string, entry: LogEntry, log: TrustedLogKey, gate: PublishGate, options: PublishOptions): void {
  const failure = gate.logged({ statement: files.statement, signature: files.signature, entry, entryId, form: "logentry" }, keySource(files, options), log);
  if (failure !== undefined) throw new EndorseError("PUBLISH_FAILED", `the log entry does not verify: ${failure}`);
}

function bundleFor(files: Signed, entry: LogEntry): string {
  const bundle = messageSignatureBundle(entry, createHash("sha256").update(files.statement).digest(), files.signature, keyHintOf(files.key));
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

/** True if the folder's bundle parses and verifies as the verifier would check it (at the entry's time). */
function bundleVerifies(dir: string, files: Signed, log: TrustedLogKey, gate: PublishGate, options: PublishOptions): boolean {
  let text: string | undefined;
  try {
    const bytes = readEndorsementFile(dir, "bundle");
    if (bytes === undefined) return false;
    text = bytes.toString("utf8");
    const logged = loggedFromBundle(files.statement, text, endorsementPath(dir, "bundle"), files.signature);
    return gate.logged(logged, keySource(files, options), log) === undefined;
  } catch (err) {
    if (err instanceof ReftrailError) return false;
    throw err;
  }
}

/**
 * Logs one signed component folder and writes `logentry.json` and `endorsement.sigstore.json`
 * beside it. Nothing is submitted that the verifier (`gate`) would refuse (checkBeforeLogging). Idempotent:
 * a folder whose log entry is already there and verifies is left alone, except that a missing
 * bundle, or one that does not parse or verify, is rebuilt from the entry; an entry the log already
 * holds (409) is fetched and reused. Every entry the log returns is verified (SET, inclusion proof,
 * checkpoint, body, key window) before anything is written.
 */
export async function publishWithGate(dir: string, client: RekorClient, log: TrustedLogKey, gate: PublishGate, options: PublishOptions): Promise<PublishedComponent & { bundle: "kept" | "written" }> {
  const files = readSigned(dir);
  const existing = readEndorsementFile(dir, "logEntry");
  if (existing !== undefined) {
    const response = parseDocument(LogEntryResponse, existing.toString("utf8"), endorsementPath(dir, "logEntry"));
    const [entryId, entry] = Object.entries(response)[0]!;
    try {
      checkEntry(files, entryId, entry, log, gate, options);
    } catch (err) {
      throw err instanceof ReftrailError ? new EndorseError("PUBLISH_FAILED", `exists but ${err.message.replace(/^the log entry /, "")} (logged elsewhere? remove it to publish to ${client.transport.description})`, endorsementPath(dir, "logEntry")) : err;
    }
    const rebuild = !bundleVerifies(dir, files, log, gate, options);
    if (rebuild) writeFileAtomic(endorsementPath(dir, "bundle"), bundleFor(files, entry));
    return { dir, status: "unchanged", entryId, logIndex: entry.logIndex, integratedTime: formatRfc3339(secondsToNs(entry.integratedTime)), bundle: rebuild ? "written" : "kept" };
  }
  checkBeforeLogging(dir, files, gate, options);
  let created;
  try {
    created = await client.createEntry(hashedRekordFor(files));
    checkEntry(files, created.entryId, created.entry, log, gate, options);
  } catch (err) {
    if (err instanceof ReftrailError) throw new EndorseError("PUBLISH_FAILED", `publishing to ${client.transport.description} failed: ${err.message}`, dir);
    throw err;
  }
  writeFileAtomic(endorsementPath(dir, "logEntry"), `${JSON.stringify({ [created.entryId]: created.entry }, null, 2)}\n`);
  writeFileAtomic(endorsementPath(dir, "bundle"), bundleFor(files, created.entry));
  return {
    dir,
    status: created.created ? "logged" : "existing",
    entryId: created.entryId,
    logIndex: created.entry.logIndex,
    integratedTime: formatRfc3339(secondsToNs(created.entry.integratedTime)),
    bundle: "written",
  };
}
