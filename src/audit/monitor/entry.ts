import type { ComponentKey, LoadedRegistry } from "../../keys/registry.js";
import { checkSigningKey } from "../../keys/registry.js";
import { sameKey } from "../../keys/component-keys.js";
import type { EntryOutcome } from "../../schema/monitor-state.js";
import { ProposedEntry, type LogEntry } from "../../schema/rekor.js";
import type { Checkpoint } from "../../tlog/checkpoint.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { entryKey } from "../../tlog/kinds/entries.js";
import { verifyPrehashed } from "../../tlog/prehashed.js";
import { entryLeaf, verifyLogEntry } from "../../tlog/verify-entry.js";
import { fromHex, toHex } from "../../util/bytes.js";
import { canonicalJson } from "../../util/canonical-json.js";
import { ReftrailError } from "../../util/errors.js";
import { secondsToNs } from "../../util/rfc3339.js";
import { verifyEndorsement } from "../../verify/endorsement/verifier.js";
import { readEndorsement } from "../../verify/endorsement/statement.js";
import { invalidEntryProblem, quoted, unreleasedProblem, type EntryFacts, type MonitorProblem } from "./problems.js";
import type { ReferenceValuesLookup, ReleasedStatements } from "./released.js";

export interface EntryJudgement {
  readonly outcome: EntryOutcome;
  readonly problem?: MonitorProblem;
}

export interface EntryContext {
  readonly component: string;
  readonly key: ComponentKey;
  readonly registry: LoadedRegistry;
  readonly registrySource: string;
  readonly log: TrustedLogKey;
  /** The log's checkpoint verified in this run, and its tree. */
  readonly head: { readonly checkpoint: Checkpoint; readonly treeId: bigint };
  readonly statements: ReleasedStatements;
  readonly referenceValues: ReferenceValuesLookup;
}

/** Thrown inside judgeEntry for an entry that does not verify; becomes INVALID_ENTRY. */
class Invalid extends Error {}

function invalidUnless(condition: boolean, message: string): void {
  if (!condition) throw new Invalid(message);
}

function bodyOf(entry: LogEntry): ProposedEntry {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(entryLeaf(entry).body).toString("utf8"));
  } catch (err) {
    throw new Invalid(err instanceof ReftrailError ? err.message : "the log body is not JSON");
  }
  const parsed = ProposedEntry.safeParse(json);
  if (!parsed.success) throw new Invalid("the log body is not a hashedrekord or rekord 0.0.1 entry");
  return parsed.data;
}

function bodyKey(body: ProposedEntry) {
  try {
    return entryKey(body.spec.signature.publicKey.content).key;
  } catch (err) {
    throw err instanceof ReftrailError ? new Invalid(`BODY_KEY: ${err.message}`) : err;
  }
}

/**
 * An entry whose statement the monitor does not have: everything but the statement is checked with
 * the log code verifiers use (entry id, log id, SET, checkpoint, inclusion), plus the body's key and
 * its signature over the artifact digest and the key's registry window at the integration time.
 */
function verifyWithoutStatement(entryId: string, entry: LogEntry, body: ProposedEntry, ctx: EntryContext): void {
  try {
    verifyLogEntry(entryId, entry, ctx.log);
  } catch (err) {
    if (err instanceof ReftrailError) throw new Invalid(`${err.code}: ${err.message}`);
    throw err;
  }
  const digest = fromHex(body.spec.data.hash.value.toLowerCase())!;
  const signature = Buffer.from(body.spec.signature.content, "base64");
  invalidUnless(verifyPrehashed(ctx.key.key, digest, signature) === "valid", "BODY_SIGNATURE: the body's signature does not verify with the component key over the artifact digest");
  try {
    checkSigningKey(ctx.registry, ctx.registrySource, ctx.component, ctx.key.key, secondsToNs(entry.integratedTime));
  } catch (err) {
    if (err instanceof ReftrailError) throw new Invalid(`KEY_VALIDITY: ${err.message}`);
    throw err;
  }
}

/**
 * Why the statement's reference values are not those its release's document lists for the
 * component (undefined when they are). The auditor's history flags entries by the same rule.
 */
export async function valuesReleased(statement: Uint8Array, referenceValues: ReferenceValuesLookup): Promise<string | undefined> {
  const own = readEndorsement(statement).reftrail;
  if (own === undefined) return "its statement carries no reftrail reference values, so it matches no reference-values document";
  const document = await referenceValues(own.release.version);
  if (document === undefined) return `it endorses release ${quoted(own.release.version)}, which has no reference-values document`;
  const listed = document.components.find((c) => c.name === own.component.name);
  if (document.release.name !== own.release.name || listed === undefined || canonicalJson(listed) !== canonicalJson(own.component)) {
    return `its values for ${quoted(own.component.name)} match no reference-values document (release ${quoted(own.release.version)}'s lists other values)`;
  }
  return undefined;
}

/**
 * Judges one new entry found by a component key: INVALID_ENTRY when it does not verify, UNRELEASED
 * when its statement is in no release or its values in no reference-values document, else released.
 */
export async function judgeEntry(entryId: string, entry: LogEntry, ctx: EntryContext): Promise<EntryJudgement> {
  const facts: EntryFacts = { component: ctx.component, keyId: ctx.key.keyId, entryId, logIndex: entry.logIndex, integratedTime: entry.integratedTime, logId: entry.logID };
  try {
    const body = bodyOf(entry);
    const artifact = body.spec.data.hash;
    const withArtifact: EntryFacts = { ...facts, ...(artifact.algorithm === "sha256" ? { artifactSha256: artifact.value.toLowerCase() } : {}) };
    invalidUnless(sameKey(bodyKey(body), ctx.key.key), "BODY_KEY: the log body names another key than the component key it was found by");
    const proof = entry.verification.inclusionProof;
    // The proof at the size this run verified must reach that very root (a later size is checked by its own checkpoint).
    if (proof !== undefined && proof.treeSize === ctx.head.checkpoint.size) {
      invalidUnless(proof.rootHash.toLowerCase() === toHex(ctx.head.checkpoint.rootHash), `INCLUSION_PROOF: the proof's root at tree size ${proof.treeSize} is not the root of the log's verified checkpoint`);
    }
    const released = artifact.algorithm === "sha256" ? await ctx.statements.find(artifact.value.toLowerCase()) : undefined;
    if (released === undefined) {
      verifyWithoutStatement(entryId, entry, body, ctx);
      return { outcome: "unreleased", problem: unreleasedProblem(withArtifact, `its statement (sha256 ${withArtifact.artifactSha256 ?? `${artifact.algorithm}:${artifact.value}`}) is attached to no release`) };
    }
    const verdict = verifyEndorsement(
      { statement: released.bytes, signature: Buffer.from(body.spec.signature.content, "base64"), entry, entryId, form: "logentry" },
      // At the integration time: an endorsement valid when it was logged stays released after it expires.
      { keys: { kind: "keys", keys: [ctx.key] }, logs: [ctx.log], at: secondsToNs(entry.integratedTime), requiredClaims: [], component: ctx.component, allowSetOnly: false },
    );
    if (!verdict.verified) throw new Invalid(`${verdict.failure!.check}: ${verdict.failure!.message} (statement from ${released.source})`);
    const why = await valuesReleased(released.bytes, ctx.referenceValues);
    return why === undefined ? { outcome: "released" } : { outcome: "unreleased", problem: unreleasedProblem(withArtifact, why) };
  } catch (err) {
    if (err instanceof Invalid) return { outcome: "invalid", problem: invalidEntryProblem(facts, err.message) };
    throw err;
  }
}
