import { createHash } from "node:crypto";
import type { TransparentReleaseEndorsement } from "../../schema/oak/gen/proto/attestation/endorsement_pb.js";
import type { EndorsementReferenceValue, TimestampReferenceValue } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";
import { ReftrailError } from "../../util/errors.js";
import { formatRfc3339, secondsToNs } from "../../util/rfc3339.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { loggedFromLogEntry } from "../../tlog/read-logged.js";
import type { EndorsementPolicy } from "../endorsement/policy.js";
import { verifyBeforeLogging, verifyEndorsement } from "../endorsement/verifier.js";
import { formatDigest, fromStatementDigest, matchDigests, type DigestSet } from "./digests.js";
import { componentKeys, logKeys } from "./endorser-keys.js";
import { logRequirement } from "./tlog-policy.js";

/** A release endorsement after reftrail's endorsement checks: what the comparisons may use. */
export type EndorsementOutcome =
  | {
      readonly ok: true;
      readonly detail: string;
      /** The statement's subject digest (what the component must hash to when it has no attachment). */
      readonly subjectDigest: DigestSet;
      readonly subjectName: string;
      readonly claims: readonly string[];
      readonly logIndex?: number;
    }
  | { readonly ok: false; readonly detail: string };

const failed = (detail: string): EndorsementOutcome => ({ ok: false, detail });

/** `signed_timestamp`: integratedTime ≥ not_before_absolute and ≥ now + not_before_relative. */
function timestampProblem(ts: TimestampReferenceValue | undefined, integratedTime: number, at: bigint): string | undefined {
  if (ts === undefined) return undefined;
  const t = secondsToNs(integratedTime);
  const abs = ts.notBeforeAbsolute;
  if (abs && t < abs.seconds * 1_000_000_000n + BigInt(abs.nanos)) return `logged at ${formatRfc3339(t)}, before signed_timestamp.not_before_absolute`;
  const rel = ts.notBeforeRelative;
  if (rel && t < at + rel.seconds * 1_000_000_000n + BigInt(rel.nanos)) return `logged at ${formatRfc3339(t)}, earlier than signed_timestamp.not_before_relative allows`;
  return undefined;
}

/**
 * Verifies one TransparentReleaseEndorsement against its EndorsementReferenceValue with reftrail's
 * endorsement checks (signature by an endorser key, statement type, validity at `at`, required
 * claims; with a Rekor requirement also the log entry: SET, body, entry id, and the checkpoint and
 * inclusion proof whenever the entry carries them, which Oak does not check), then the attachment
 * (`subject`) against the statement's subject digest. Never throws.
 */
export function verifyReleaseEndorsement(tre: TransparentReleaseEndorsement | undefined, rv: EndorsementReferenceValue, at: bigint, where: string): EndorsementOutcome {
  if (tre === undefined || tre.endorsement.byteLength === 0) return failed("matching endorsement not found");
  if (rv.endorser === undefined) return failed(`${where}: the reference value has no endorser key set`);
  if (rv.requiredClaims === undefined) return failed(`${where}: the reference value has no required_claims`);
  const { keys, problems } = componentKeys(rv.endorser, `${where}.endorser`);
  if (keys.length === 0) return failed(`no usable endorser key${problems.length ? `: ${problems.join("; ")}` : ""}`);
  const log = logRequirement(rv);
  if (log.kind === "refused") return failed(log.why);
  const signed = { statement: tre.endorsement, signature: tre.endorsementSignature };
  const base = { keys: { kind: "keys", keys }, at, requiredClaims: rv.requiredClaims.claimTypes, allowSetOnly: true } as const;

  let summary: { subjectName: string; digest: Readonly<Record<string, string>>; claims: readonly string[]; logIndex?: number };
  if (log.kind === "none") {
    const verdict = verifyBeforeLogging(signed, { ...base, logs: [] });
    if (!verdict.verified || verdict.content === undefined) return failed(`endorsement ${verdict.failure?.check ?? "STATEMENT"}: ${verdict.failure?.message ?? "no statement"}`);
    summary = { subjectName: verdict.content.subjectName, digest: Object.fromEntries(verdict.content.subjectDigests), claims: verdict.content.claims };
  } else {
    const rekorKeys = logKeys(log.keys, `${where}.${log.where}`);
    if (rekorKeys.identities.length === 0) return failed(`no usable Rekor key in ${where}.${log.where}${rekorKeys.problems.length ? `: ${rekorKeys.problems.join("; ")}` : ""}`);
    if (tre.rekorLogEntry.byteLength === 0) return failed("the reference value requires a Rekor log entry and the endorsement has none");
    const logs: TrustedLogKey[] = rekorKeys.identities.map((identity, i) => ({ identity, source: `${where}.${log.where}.keys[${i}]` }));
    const policy: EndorsementPolicy = { ...base, logs };
    let logged;
    try {
      logged = loggedFromLogEntry(signed.statement, signed.signature, Buffer.from(tre.rekorLogEntry).toString("utf8"), "rekor_log_entry");
    } catch (err) {
      if (!(err instanceof ReftrailError)) throw err;
      return failed(`rekor_log_entry: ${err.message}`);
    }
    const verdict = verifyEndorsement(logged, policy);
    if (!verdict.verified || verdict.endorsement === undefined || verdict.logEntry === undefined) return failed(`endorsement ${verdict.failure?.check ?? "STATEMENT"}: ${verdict.failure?.message ?? "no statement"}`);
    const late = timestampProblem(log.keys.signedTimestamp, logged.entry.integratedTime, at);
    if (late) return failed(late);
    summary = { subjectName: verdict.endorsement.subject.name, digest: verdict.endorsement.subject.digest, claims: verdict.endorsement.claims, logIndex: verdict.logEntry.logIndex };
  }

  const subjectDigest = fromStatementDigest(summary.digest);
  if (tre.subject.byteLength > 0) {
    const attachment: DigestSet = {
      sha2_256: createHash("sha256").update(tre.subject).digest(),
      sha2_384: createHash("sha384").update(tre.subject).digest(),
      sha2_512: createHash("sha512").update(tre.subject).digest(),
    };
    if (matchDigests(subjectDigest, attachment) !== "same") {
      return failed(`the attachment (subject) does not hash to the statement's subject digest ${formatDigest(subjectDigest)}`);
    }
  }
  return {
    ok: true,
    detail: `${summary.subjectName}: ${log.kind === "none" ? `signature, validity, claims (${log.why})` : `signature, validity, claims, Rekor entry ${summary.logIndex}`}`,
    subjectDigest,
    subjectName: summary.subjectName,
    claims: summary.claims,
    ...(summary.logIndex !== undefined ? { logIndex: summary.logIndex } : {}),
  };
}
