import { createHash } from "node:crypto";
import type { ComponentKey } from "../../keys/registry.js";
import { sameKey } from "../../keys/component-keys.js";
import type { HistoryEntry } from "../../schema/audit-history.js";
import { ProposedEntry, type LogEntry } from "../../schema/rekor.js";
import { checkResult, verdictOf, type CheckResult } from "../../schema/verdict.js";
import type { Checkpoint } from "../../tlog/checkpoint.js";
import type { RekorClient } from "../../tlog/client.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { entryKey } from "../../tlog/kinds/entries.js";
import { verifyConsistency } from "../../tlog/merkle.js";
import { InclusionMemo } from "../../tlog/merkle-proof.js";
import { verificationKey, type VerificationKey } from "../../tlog/prehashed.js";
import { PrehashedBatcher } from "../../tlog/prehashed-batch.js";
import { parseEcdsaDer } from "../../util/ecdsa-der.js";
import { checkEntryId, checkInclusion, checkLogCheckpoint, entryLeaf } from "../../tlog/verify-entry.js";
import { fromHex, toHex } from "../../util/bytes.js";
import { ReftrailError } from "../../util/errors.js";
import { formatRfc3339, secondsToNs } from "../../util/rfc3339.js";
import { readEndorsement, type EndorsementContent } from "../../verify/endorsement/statement.js";
import { referenceValuesDigest } from "../../verify/endorsement/verifier.js";
import { valuesReleased } from "../monitor/entry.js";
import type { ReferenceValuesLookup, ReleasedStatements } from "../monitor/released.js";
import { fingerprintOf, type EntryFingerprint } from "./changes.js";
import { launchDigestSummary } from "./launch-digests.js";

/** The checks of one history entry, in the order they are shown. */
export const HISTORY_CHECKS = {
  STATEMENT_AVAILABLE: "the signed statement is at hand (the log holds only its hash)",
  STATEMENT_SIGNATURE: "the log body's key is the component key and its signature verifies over the statement",
  STATEMENT: "the statement is an endorsement of this component",
  INCLUSION_PROOF: "the inclusion proof reaches a checkpoint signed by the log",
  CHECKPOINT_CONSISTENCY: "that checkpoint is consistent with the auditor's verified one",
  KEY_VALIDITY: "integration time within the key's registered window",
  LOG_TIME: "integration time within the endorsement's validity",
  REFERENCE_VALUES: "the endorsed values are a reference-values document's",
} as const;
type HistoryCheck = keyof typeof HISTORY_CHECKS;

const passed = (c: HistoryCheck, detail: string) => checkResult.passed(c, HISTORY_CHECKS[c], undefined, undefined, detail);
const failed = (c: HistoryCheck, detail: string) => checkResult.failed(c, HISTORY_CHECKS[c], detail);
const skipped = (c: HistoryCheck, detail: string) => checkResult.skipped(c, HISTORY_CHECKS[c], detail);
const notRun = (c: HistoryCheck, detail: string) => checkResult.notRun(c, HISTORY_CHECKS[c], detail);
const message = (err: unknown) => (err instanceof ReftrailError ? err.message : `unexpected error: ${(err as Error).message}`);

/**
 * What a history run verifies once and reuses for every entry: each distinct checkpoint's
 * signature, and each distinct checkpoint's consistency with the auditor's verified one. Every
 * entry of an embedded log proves inclusion in the same checkpoint, so 100,000 entries cost one
 * checkpoint verification, not 100,000.
 */
export class HistoryContext {
  private readonly checkpoints = new Map<string, { checkpoint: Checkpoint; treeId: bigint } | { error: string }>();
  private readonly consistency = new Map<string, Promise<string | undefined>>();
  private readonly prepared = new Map<ComponentKey, VerificationKey>();
  private readonly words = new Map<string, string>();
  private readonly batcher = new PrehashedBatcher();
  /** The steps of the last inclusion proof that verified: the next entry's proof is hashed only below where it joins it. */
  readonly inclusion = new InclusionMemo();

  constructor(
    readonly client: RekorClient,
    readonly log: TrustedLogKey,
    /** The log's checkpoint verified in this run and consistent with the stored one; absent when it is not. */
    readonly head: Checkpoint | undefined,
    readonly statements: ReleasedStatements,
    readonly referenceValues: ReferenceValuesLookup | undefined,
  ) {}

  /** The key prepared once for digest verification (exporting a key costs more than a verification). */
  verificationKey(key: ComponentKey): VerificationKey {
    let prepared = this.prepared.get(key);
    if (prepared === undefined) this.prepared.set(key, (prepared = verificationKey(key.key)));
    return prepared;
  }

  /** Does `signature` verify over `digest` with the component key? Verified in batches, off this thread where it can be. */
  async verifiesOver(key: ComponentKey, digest: Uint8Array, signature: Uint8Array): Promise<boolean> {
    return (await this.batcher.verify(this.verificationKey(key), digest, signature)) === "valid";
  }

  /** One copy of a detail many entries share (the key, its window): 100,000 rows hold references, not copies. */
  shared(text: string): string {
    const known = this.words.get(text);
    if (known !== undefined) return known;
    this.words.set(text, text);
    return text;
  }

  checkpoint(note: string): { checkpoint: Checkpoint; treeId: bigint } | { error: string } {
    let known = this.checkpoints.get(note);
    if (known === undefined) {
      try {
        known = checkLogCheckpoint(note, this.log.identity, this.log.name);
      } catch (err) {
        known = { error: message(err) };
      }
      this.checkpoints.set(note, known);
    }
    return known;
  }

  /** Why `checkpoint` is not consistent with the verified head (undefined when it is). */
  consistentWithHead(checkpoint: Checkpoint): Promise<string | undefined> {
    const key = `${checkpoint.size}:${toHex(checkpoint.rootHash)}`;
    let known = this.consistency.get(key);
    if (known === undefined) {
      known = this.checkConsistency(checkpoint);
      this.consistency.set(key, known);
    }
    return known;
  }

  private async checkConsistency(checkpoint: Checkpoint): Promise<string | undefined> {
    const head = this.head!;
    const root = toHex(checkpoint.rootHash);
    if (checkpoint.size === head.size) return root === toHex(head.rootHash) ? undefined : `at tree size ${checkpoint.size} its root is ${root}, the verified checkpoint's ${toHex(head.rootHash)} (a fork)`;
    if (checkpoint.size > head.size) return `its tree of ${checkpoint.size} entries is beyond the checkpoint verified in this run (${head.size}); run the audit again`;
    if (checkpoint.size === 0) return undefined;
    try {
      const proof = await this.client.getConsistencyProof(checkpoint.size, head.size);
      const ok = proof.rootHash.toLowerCase() === toHex(head.rootHash) && verifyConsistency(checkpoint.size, head.size, checkpoint.rootHash, head.rootHash, proof.hashes.map((h) => fromHex(h.toLowerCase())!));
      return ok ? undefined : `the consistency proof from tree size ${checkpoint.size} to ${head.size} does not verify (a fork)`;
    } catch (err) {
      return `no consistency proof from tree size ${checkpoint.size} to ${head.size}: ${message(err)}`;
    }
  }
}

/** A history row, what the next row compares against, and the statement it was judged on. */
export interface JudgedEntry {
  readonly row: Omit<HistoryEntry, "changes">;
  readonly fingerprint?: EntryFingerprint;
  /** The statement whose hash the entry logs, when at hand, and what it says when it could be read. */
  readonly statement?: { readonly bytes: Uint8Array; readonly content?: EndorsementContent };
  /** The body's signature (base64), when the body could be read. */
  readonly signature?: string;
}

/**
 * The body, strictly decoded (canonical base64), its leaf hash, and what it says. `read`: the same
 * bytes already parsed by the scan that found the entry (a canonical decoding is the only one, so
 * the loose decoding it parsed gave these very bytes).
 */
function parseBody(entry: LogEntry, read: ProposedEntry | undefined): { body: ProposedEntry; leaf: Uint8Array } | string {
  let leaf: Uint8Array;
  let json: unknown;
  try {
    const parsed = entryLeaf(entry);
    leaf = parsed.leaf;
    if (read !== undefined) return { body: read, leaf };
    json = JSON.parse(Buffer.from(parsed.body).toString("utf8"));
  } catch (err) {
    return err instanceof ReftrailError ? err.message : "the log body is not JSON";
  }
  const body = ProposedEntry.safeParse(json);
  return body.success ? { body: body.data, leaf } : "the log body is not a hashedrekord or rekord 0.0.1 entry";
}

/** Inclusion in a signed checkpoint, then that checkpoint's consistency with the auditor's. */
async function proofChecks(entryId: string, entry: LogEntry, leaf: Uint8Array, ctx: HistoryContext): Promise<CheckResult[]> {
  const proof = entry.verification.inclusionProof;
  const noConsistency = (why: string) => notRun("CHECKPOINT_CONSISTENCY", why);
  if (proof === undefined) return [failed("INCLUSION_PROOF", "the entry has no inclusion proof"), noConsistency("no checkpoint to compare")];
  let verified: { checkpoint: Checkpoint; treeId: bigint };
  try {
    // The SET is not checked: the inclusion proof in a log-signed checkpoint is the stronger promise, and it is verified.
    if (entry.logID !== ctx.log.identity.logId) throw new ReftrailError("LOG_KEY", `entry logID ${entry.logID} is not the audited log's ${ctx.log.identity.logId}`);
    const entryTree = checkEntryId(entryId, leaf);
    const known = ctx.checkpoint(proof.checkpoint);
    if ("error" in known) throw new ReftrailError("CHECKPOINT", known.error);
    if (entryTree !== undefined && known.treeId !== entryTree) throw new ReftrailError("CHECKPOINT_ORIGIN", `the checkpoint names tree ${known.treeId}, the entry id tree ${entryTree}`);
    checkInclusion(proof, leaf, known.checkpoint, ctx.inclusion);
    verified = known;
  } catch (err) {
    return [failed("INCLUSION_PROOF", message(err)), noConsistency("no verified checkpoint to compare")];
  }
  const inclusion = passed("INCLUSION_PROOF", `index ${proof.logIndex} in tree of size ${proof.treeSize}`);
  if (ctx.head === undefined) return [inclusion, noConsistency("the log's own checkpoint did not verify or is not consistent with the auditor's")];
  const why = await ctx.consistentWithHead(verified.checkpoint);
  return [inclusion, why === undefined ? passed("CHECKPOINT_CONSISTENCY", `tree size ${verified.checkpoint.size} within the verified ${ctx.head.size}`) : failed("CHECKPOINT_CONSISTENCY", why)];
}

function keyWindow(key: ComponentKey, t: bigint, ctx: HistoryContext): CheckResult {
  const window = key.validFor;
  if (window === undefined) return skipped("KEY_VALIDITY", "the key was given without a window");
  const end = window.end === undefined ? "open" : formatRfc3339(window.end);
  const range = ctx.shared(`${formatRfc3339(window.start)} .. ${end}`);
  if (t < window.start || (window.end !== undefined && t > window.end)) return failed("KEY_VALIDITY", `logged at ${formatRfc3339(t)}, outside key ${key.keyId}'s window ${range}`);
  return passed("KEY_VALIDITY", range);
}

/**
 * Judges one entry found under a component key: the statement (when at hand) and its signature,
 * the inclusion proof and its checkpoint's consistency with the auditor's, the key window, and the
 * values against the reference-values documents. Every check runs; the row carries what the
 * statement says when it could be read. `read`: the entry's body as already parsed (KeyedEntry.body).
 */
export async function judgeHistoryEntry(component: string, key: ComponentKey, entryId: string, entry: LogEntry, ctx: HistoryContext, read?: ProposedEntry): Promise<JudgedEntry> {
  const integrated = secondsToNs(entry.integratedTime);
  const base = { entryId, logIndex: entry.logIndex, integratedTime: formatRfc3339(integrated), keyId: key.keyId };
  const parsed = parseBody(entry, read);
  if (typeof parsed === "string") {
    const checks = [failed("STATEMENT_SIGNATURE", parsed), ...Object.keys(HISTORY_CHECKS).filter((c) => c !== "STATEMENT_SIGNATURE").map((c) => notRun(c as HistoryCheck, "the log body cannot be read"))];
    return { row: { ...base, statementSha256: "", ...verdictOf(checks) } };
  }
  const { body, leaf } = parsed;
  const hash = body.spec.data.hash;
  const statementSha256 = hash.value.toLowerCase();
  const signature = Buffer.from(body.spec.signature.content, "base64");
  const checks: CheckResult[] = [];
  let found = hash.algorithm === "sha256" ? await ctx.statements.find(statementSha256) : undefined;
  let bodyKeyOk: string | undefined;
  try {
    bodyKeyOk = sameKey(entryKey(body.spec.signature.publicKey.content).key, key.key) ? undefined : "the log body names another key than the component key";
  } catch (err) {
    bodyKeyOk = message(err);
  }
  let content: EndorsementContent | undefined;
  let statementDigest: Uint8Array;
  // The signature is verified off this thread while the other checks run here; its check stays
  // failed unless the verification answers that it verifies.
  let pending: { readonly at: number; readonly verifies: Promise<boolean>; readonly pass: CheckResult } | undefined;
  if (found === undefined) {
    checks.push(failed("STATEMENT_AVAILABLE", `no statement with sha256 ${statementSha256} in the kept statements or --endorsements: the log holds only its hash`));
    // Without the statement, the body's signature over the artifact digest is what can be checked.
    const digest = fromHex(statementSha256);
    checks.push(failed("STATEMENT_SIGNATURE", bodyKeyOk ?? "the body's signature does not verify over the logged digest"));
    if (bodyKeyOk === undefined && digest !== undefined) pending = { at: checks.length - 1, verifies: ctx.verifiesOver(key, digest, signature), pass: passed("STATEMENT_SIGNATURE", `over the logged digest only, with key ${key.keyId}`) };
    checks.push(notRun("STATEMENT", "statement unavailable"));
  } else if (toHex((statementDigest = createHash("sha256").update(found.bytes).digest())) !== statementSha256) {
    // Kept statements are content-addressed but never trusted: a file changed under its name is not the logged statement.
    checks.push(failed("STATEMENT_AVAILABLE", `the statement from ${found.source} hashes to ${toHex(statementDigest)}, not the logged ${statementSha256}`));
    checks.push(notRun("STATEMENT_SIGNATURE", "no statement with the logged hash"), notRun("STATEMENT", "no statement with the logged hash"));
    found = undefined;
  } else {
    checks.push(passed("STATEMENT_AVAILABLE", ctx.shared(found.source)));
    // ECDSA over SHA-256 of the statement, as verifyStatementSignature checks it (strict DER), on the digest just computed.
    checks.push(failed("STATEMENT_SIGNATURE", bodyKeyOk ?? "the signature does not verify over the statement with the component key"));
    if (bodyKeyOk === undefined && parseEcdsaDer(signature) !== undefined) {
      pending = { at: checks.length - 1, verifies: ctx.verifiesOver(key, statementDigest, signature), pass: passed("STATEMENT_SIGNATURE", ctx.shared(`verified with key ${key.keyId}`)) };
    }
    try {
      content = readEndorsement(found.bytes, statementDigest);
      checks.push(content.component === component ? passed("STATEMENT", ctx.shared(`endorsement of '${content.component}'`)) : failed("STATEMENT", `the statement endorses '${content.component}', not '${component}'`));
    } catch (err) {
      checks.push(failed("STATEMENT", message(err)));
    }
  }
  // Marked handled: awaited below, after checks that may await before it.
  pending?.verifies.catch(() => undefined);
  checks.push(...(await proofChecks(entryId, entry, leaf, ctx)));
  checks.push(keyWindow(key, integrated, ctx));
  if (content === undefined) checks.push(notRun("LOG_TIME", "no statement to read the validity from"));
  else if (integrated < content.notBefore || integrated > content.notAfter) checks.push(failed("LOG_TIME", `logged at ${base.integratedTime}, outside ${content.validity.notBefore} .. ${content.validity.notAfter}`));
  else checks.push(passed("LOG_TIME", `${content.validity.notBefore} ≤ ${base.integratedTime} ≤ ${content.validity.notAfter}`));
  let flagged: string | undefined;
  if (ctx.referenceValues !== undefined) {
    if (found === undefined || content === undefined) checks.push(notRun("REFERENCE_VALUES", "no readable statement"));
    else {
      // A reference-values document that cannot be read is an input error (exit 2), never "no document".
      flagged = await valuesReleased(found.bytes, ctx.referenceValues);
      checks.push(flagged === undefined ? passed("REFERENCE_VALUES", "listed in its release's document") : failed("REFERENCE_VALUES", flagged));
    }
  }
  const own = content?.reftrail;
  const says = {
    ...(own ? { release: { name: own.release.name, version: own.release.version }, valuesSha256: referenceValuesDigest(own.component) } : {}),
    ...(content
      ? { subject: { name: content.subjectName, digest: Object.fromEntries(content.subjectDigests) }, issuedOn: content.issuedOn, validity: { ...content.validity }, claims: [...content.claims] }
      : {}),
    ...(own?.component.kind === "firmware" ? { launchDigests: launchDigestSummary(own.component) } : {}),
  };
  const fingerprint = content ? fingerprintOf(content) : undefined;
  if (pending !== undefined && (await pending.verifies)) checks[pending.at] = pending.pass;
  return {
    row: { ...base, statementSha256, ...verdictOf(checks), ...says, ...(flagged !== undefined ? { flagged } : {}) },
    ...(fingerprint ? { fingerprint } : {}),
    ...(found !== undefined ? { statement: { bytes: found.bytes, ...(content ? { content } : {}) } } : {}),
    signature: body.spec.signature.content,
  };
}
