import { statementSignature } from "../../keys/statement-signature.js";
import { LogEntry, ProposedEntry } from "../../schema/rekor.js";
import { checkResult, verdictOf, type CheckResult, type Verdict } from "../../schema/verdict.js";
import { bytesEqual } from "../../util/bytes.js";
import { runCryptoProgram, sha256, type AsyncCrypto, type CryptoProgram } from "../../util/crypto-program.js";
import { bytesOfBase64, hexOf, textOfUtf8 } from "../../util/encoding.js";
import { ReftrailError } from "../../util/errors.js";
import type { Checkpoint } from "../../tlog/checkpoint-note.js";
import { checkEntryId, entryLeafOf, entrySet, inclusionInCheckpoint, logCheckpoint, type LogKey } from "../../tlog/entry-checks.js";
import { ENDORSEMENT_CHECKS, type EndorsementCheck } from "../../verify/endorsement/checks.js";
import { spkiOf, spkiOfPem } from "./keys.js";

/**
 * The web viewer's re-verification of one logged statement: the statement signature, the log
 * entry (SET, entry id, body) and its inclusion proof and checkpoint, by the same check programs
 * the CLI runs (tlog/entry-checks.ts, keys/statement-signature.ts) on an AsyncCrypto. The checks
 * carry the names and descriptions of `reftrail verify endorsement`'s, so both verdicts read alike;
 * LOG_ENTRY (the input is a Rekor v1 LogEntry) is the viewer's own. Unlike the CLI verifier every
 * check runs whose inputs are there (a page shows all it can); one whose input is missing or
 * untrusted is `not run`, which fails the verdict too.
 */

export const ENTRY_CHECKS = {
  LOG_ENTRY: "log entry is a Rekor v1 LogEntry",
  STATEMENT_SIGNATURE: ENDORSEMENT_CHECKS.STATEMENT_SIGNATURE,
  LOG_ID: ENDORSEMENT_CHECKS.LOG_ID,
  SET: ENDORSEMENT_CHECKS.SET,
  ENTRY_ID: ENDORSEMENT_CHECKS.ENTRY_ID,
  BODY_KIND: ENDORSEMENT_CHECKS.BODY_KIND,
  BODY_HASH: ENDORSEMENT_CHECKS.BODY_HASH,
  BODY_KEY: ENDORSEMENT_CHECKS.BODY_KEY,
  BODY_SIGNATURE: ENDORSEMENT_CHECKS.BODY_SIGNATURE,
  CHECKPOINT_SIGNATURE: ENDORSEMENT_CHECKS.CHECKPOINT_SIGNATURE,
  CHECKPOINT_ORIGIN: ENDORSEMENT_CHECKS.CHECKPOINT_ORIGIN,
  INCLUSION_PROOF: ENDORSEMENT_CHECKS.INCLUSION_PROOF,
} as const satisfies Readonly<Record<string, string>> & Partial<Record<EndorsementCheck, string>>;

export type EntryCheck = keyof typeof ENTRY_CHECKS;

export interface LoggedEntryInput {
  /** The signed statement's bytes; absent when only its hash (in the log body) is known. */
  readonly statement?: Uint8Array | undefined;
  /** The detached DER signature over the statement. */
  readonly signature: Uint8Array;
  /** `<16 hex tree id><64 hex leaf hash>`, the key of Rekor's `{"<entry id>": LogEntry}`. */
  readonly entryId: string;
  /** The LogEntry (logentry.json's value): checked against the schema here. */
  readonly entry: unknown;
  /** The component (endorser) key: PEM text or SPKI DER. */
  readonly componentKey: string | Uint8Array;
  /** The log's key: PEM text or SPKI DER. */
  readonly logKey: string | Uint8Array;
  /** The log's host name in checkpoints (`rekor.sigstore.dev`); absent: as the checkpoint's origin names it. */
  readonly logName?: string | undefined;
}

export interface EntryVerdict extends Verdict {
  readonly checks: (CheckResult & { readonly check: EntryCheck })[];
  /** What the entry says, once it parsed (shown whatever the verdict). */
  readonly entry?: {
    readonly logIndex: number;
    /** Seconds since the epoch. */
    readonly integratedTime: number;
    readonly logId: string;
    readonly treeId?: string;
    readonly treeSize?: number;
    readonly checkpointOrigin?: string;
    /** The artifact hash the body names (`sha256:<hex>`). */
    readonly bodyHash?: string;
  };
}

type Outcome = { readonly passed: string } | { readonly failed: string } | { readonly skipped: string } | { readonly notRun: string };

const passed = (detail: string): Outcome => ({ passed: detail });
const failed = (detail: string): Outcome => ({ failed: detail });
const skipped = (detail: string): Outcome => ({ skipped: detail });
const notRun = (detail: string): Outcome => ({ notRun: detail });

const messageOf = (err: unknown): string => (err instanceof ReftrailError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`);

/** Runs a check program, catching what it throws (the caller words the failure). */
async function attempt<T>(crypto: AsyncCrypto, program: CryptoProgram<T, Uint8Array>): Promise<{ value: T } | { error: unknown }> {
  try {
    return { value: await runCryptoProgram(program, crypto) };
  } catch (error) {
    return { error };
  }
}

export async function verifyLoggedEntry(crypto: AsyncCrypto, input: LoggedEntryInput): Promise<EntryVerdict> {
  const outcomes = new Map<EntryCheck, Outcome>();
  const set = (check: EntryCheck, outcome: Outcome) => {
    if (!outcomes.has(check)) outcomes.set(check, outcome);
  };
  const parsed = LogEntry.safeParse(input.entry);
  let summary: EntryVerdict["entry"];
  let unreadable = "the log entry could not be read";
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    set("LOG_ENTRY", failed(`not a Rekor v1 LogEntry: ${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"}`));
  } else {
    const entry = parsed.data;
    set("LOG_ENTRY", passed(`logIndex ${entry.logIndex}`));
    try {
      summary = await checkEntry(crypto, input, entry, set);
    } catch (err) {
      // Never a throw to the page, never a pass by accident: what had not run stays `not run`.
      unreadable = `the verification stopped: ${messageOf(err)}`;
    }
  }
  const checks = (Object.keys(ENTRY_CHECKS) as EntryCheck[]).map((check) => {
    const o = outcomes.get(check) ?? notRun(unreadable);
    const description = ENTRY_CHECKS[check];
    const result =
      "passed" in o
        ? checkResult.passed(check, description, undefined, undefined, o.passed)
        : "failed" in o
          ? checkResult.failed(check, description, o.failed)
          : "skipped" in o
            ? checkResult.skipped(check, description, o.skipped)
            : checkResult.notRun(check, description, o.notRun);
    return { ...result, check };
  });
  return { ...verdictOf(checks), checks, ...(summary ? { entry: summary } : {}) };
}

async function checkEntry(crypto: AsyncCrypto, input: LoggedEntryInput, entry: LogEntry, set: (check: EntryCheck, outcome: Outcome) => void): Promise<EntryVerdict["entry"]> {
  const { statement, signature } = input;
  const componentSpki = spkiOf(input.componentKey);
  const logSpki = spkiOf(input.logKey);
  const noStatement = "the statement bytes were not given (only the hash the log body names is known)";

  // The statement signature by the component key.
  if (componentSpki === undefined) set("STATEMENT_SIGNATURE", failed("the component key is not one PEM block labelled PUBLIC KEY"));
  else if (statement === undefined) set("STATEMENT_SIGNATURE", notRun(noStatement));
  else {
    const r = await attempt(crypto, statementSignature(statement, signature, componentSpki));
    set("STATEMENT_SIGNATURE", "value" in r && r.value ? passed("verified with the component key") : failed("value" in r ? "the signature is not a DER ECDSA P-256 signature over the statement bytes by the component key" : messageOf(r.error)));
  }

  // The log: its key, the SET, the entry id.
  let log: LogKey<Uint8Array> | undefined;
  if (logSpki === undefined) set("LOG_ID", failed("the log key is not one PEM block labelled PUBLIC KEY"));
  else {
    const digest = await crypto.sha256(logSpki);
    const id = hexOf(digest);
    if (entry.logID !== id) set("LOG_ID", failed(`entry logID ${entry.logID} is not the SHA-256 of the log key (${id})`));
    else {
      log = { publicKey: logSpki, logId: id, keyHint: digest.subarray(0, 4) };
      set("LOG_ID", passed(id));
    }
  }
  const leafResult = await attempt(crypto, entryLeafOf<Uint8Array>(entry));
  const leaf = "value" in leafResult ? leafResult.value : undefined;
  if (leaf === undefined) set("SET", failed(messageOf("error" in leafResult ? leafResult.error : undefined)));
  else if (log === undefined) set("SET", notRun("no trusted log key (LOG_ID)"));
  else {
    const r = await attempt(crypto, entrySet(entry, log.publicKey));
    set("SET", "value" in r ? passed(`logIndex ${entry.logIndex}, integratedTime ${new Date(entry.integratedTime * 1000).toISOString()}`) : failed(messageOf(r.error)));
  }
  let treeId: bigint | undefined;
  if (leaf === undefined) set("ENTRY_ID", notRun("the body could not be read"));
  else {
    try {
      treeId = checkEntryId(input.entryId, leaf.leaf);
      set("ENTRY_ID", passed(input.entryId));
    } catch (err) {
      set("ENTRY_ID", failed(messageOf(err)));
    }
  }

  // The body: what was logged names this statement, key and signature.
  let spec: ProposedEntry | undefined;
  if (leaf === undefined) set("BODY_KIND", notRun("the body could not be read"));
  else {
    let json: unknown;
    try {
      json = JSON.parse(textOfUtf8(leaf.body) ?? "");
    } catch {
      json = undefined;
    }
    const body = json === undefined ? undefined : ProposedEntry.safeParse(json);
    if (json === undefined) set("BODY_KIND", failed("the log body is not JSON"));
    else if (!body?.success) set("BODY_KIND", failed("the log body is not a rekord 0.0.1 (x509) or hashedrekord 0.0.1 entry"));
    else {
      spec = body.data;
      set("BODY_KIND", passed(`${spec.kind} ${spec.apiVersion}`));
    }
  }
  const bodyHash = spec?.spec.data.hash;
  const afterBody = async (check: EntryCheck, run: (s: ProposedEntry) => Outcome | Promise<Outcome>) => set(check, spec === undefined ? notRun("no log body") : await run(spec));
  await afterBody("BODY_HASH", async (s) => {
    if (statement === undefined) return notRun(noStatement);
    const digest = hexOf(await runCryptoProgram(sha256(statement), crypto));
    const { algorithm, value } = s.spec.data.hash;
    return algorithm === "sha256" && value === digest ? passed(`sha256:${value}`) : failed(`the log body hashes ${algorithm}:${value}, not the statement (sha256:${digest})`);
  });
  await afterBody("BODY_KEY", (s) => {
    const pem = bytesOfBase64(s.spec.signature.publicKey.content);
    const text = pem === undefined ? undefined : textOfUtf8(pem);
    const bodyKey = text === undefined ? undefined : spkiOfPem(text);
    if (bodyKey === undefined) return failed("the log body's key is not one PEM block labelled PUBLIC KEY (certificates are not read here)");
    return componentSpki !== undefined && bytesEqual(bodyKey, componentSpki) ? passed("the component key") : failed("the log body's key is not the component key");
  });
  await afterBody("BODY_SIGNATURE", (s) => {
    const logged = bytesOfBase64(s.spec.signature.content);
    return logged !== undefined && bytesEqual(logged, signature) ? passed("identical bytes") : failed("the log body's signature differs from the endorsement signature");
  });

  // The inclusion proof and its checkpoint.
  const proof = entry.verification.inclusionProof;
  let checkpoint: Checkpoint | undefined;
  if (proof === undefined) {
    // The failure is INCLUSION_PROOF's (as the CLI verifier reports it); there is no checkpoint to check.
    set("INCLUSION_PROOF", failed("the entry has no inclusion proof or checkpoint, only a SET"));
    set("CHECKPOINT_SIGNATURE", skipped("no inclusion proof, so no checkpoint"));
    set("CHECKPOINT_ORIGIN", skipped("no inclusion proof, so no checkpoint"));
  } else if (log === undefined) {
    set("CHECKPOINT_SIGNATURE", notRun("no trusted log key (LOG_ID)"));
  } else {
    const r = await attempt(crypto, logCheckpoint(proof.checkpoint, log, input.logName, treeId));
    if ("value" in r) {
      checkpoint = r.value.checkpoint;
      treeId = r.value.treeId;
      set("CHECKPOINT_SIGNATURE", passed("signed by the log key"));
      set("CHECKPOINT_ORIGIN", passed(checkpoint.origin));
    } else if (r.error instanceof ReftrailError && r.error.code === "CHECKPOINT_ORIGIN") {
      set("CHECKPOINT_SIGNATURE", passed("signed by the log key"));
      set("CHECKPOINT_ORIGIN", failed(r.error.message));
    } else set("CHECKPOINT_SIGNATURE", failed(messageOf(r.error)));
  }
  set("CHECKPOINT_ORIGIN", notRun("no verified checkpoint"));
  if (proof !== undefined && leaf !== undefined && checkpoint !== undefined) {
    const r = await attempt(crypto, inclusionInCheckpoint<Uint8Array>(proof, leaf.leaf, checkpoint));
    set("INCLUSION_PROOF", "value" in r ? passed(`index ${proof.logIndex} in tree of size ${proof.treeSize}`) : failed(messageOf(r.error)));
  }
  set("INCLUSION_PROOF", notRun("no verified checkpoint"));

  return {
    logIndex: entry.logIndex,
    integratedTime: entry.integratedTime,
    logId: entry.logID,
    ...(treeId !== undefined ? { treeId: treeId.toString() } : {}),
    ...(proof ? { treeSize: proof.treeSize } : {}),
    ...(checkpoint ? { checkpointOrigin: checkpoint.origin } : {}),
    ...(bodyHash ? { bodyHash: `${bodyHash.algorithm}:${bodyHash.value}` } : {}),
  };
}
