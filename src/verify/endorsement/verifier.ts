import { createHash } from "node:crypto";
import type { ComponentKey } from "../../keys/registry.js";
import { keyIdOf, sameKey } from "../../keys/component-keys.js";
import { verifyStatementSignature } from "../../keys/signature.js";
import { ProposedEntry } from "../../schema/rekor.js";
import { bytesEqual, toHex } from "../../util/bytes.js";
import { canonicalJson } from "../../util/canonical-json.js";
import { ReftrailError } from "../../util/errors.js";
import { checkResult, type CheckResult, type Verdict } from "../../schema/verdict.js";
import { formatRfc3339, secondsToNs } from "../../util/rfc3339.js";
import type { Checkpoint } from "../../tlog/checkpoint.js";
import { entryKey } from "../../tlog/kinds/entries.js";
import { checkEntryId, checkEntrySet, checkInclusion, checkProofCheckpoint, entryLeaf } from "../../tlog/verify-entry.js";
import { CheckFailure, CheckSkipped, ENDORSEMENT_CHECKS, type EndorsementCheck } from "./checks.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import type { LoggedEndorsement } from "../../tlog/logged-endorsement.js";
import type { EndorsementPolicy } from "./policy.js";
import { claimedComponent, readEndorsement, type EndorsementContent } from "./statement.js";

/** A result of one of the endorsement checks (see schema/verdict.ts); `detail` is always set. */
export type EndorsementCheckResult = CheckResult & { readonly check: EndorsementCheck; readonly detail: string };

/**
 * The verdict on one logged endorsement. The checks run in order and the first failure stops them:
 * `failure` is that check with its message (`failures` names it alone), and the checks after it are
 * `not run`.
 */
export interface EndorsementVerdict extends Verdict {
  readonly failure?: { readonly check: EndorsementCheck; readonly message: string };
  readonly checks: EndorsementCheckResult[];
  readonly endorsement?: {
    readonly component: string;
    readonly subject: { readonly name: string; readonly digest: Readonly<Record<string, string>> };
    readonly issuedOn: string;
    readonly validity: { readonly notBefore: string; readonly notAfter: string };
    readonly claims: readonly string[];
    readonly keyId?: string;
    /** reftrail endorsements: the release, and SHA-256 of the RFC 8785 JSON of the endorsed reference values. */
    readonly reftrail?: { readonly release: { readonly name: string; readonly version: string }; readonly component: string; readonly valuesSha256: string };
  };
  readonly logEntry?: {
    readonly form: LoggedEndorsement["form"];
    readonly entryId?: string;
    readonly logIndex: number;
    readonly integratedTime: string;
    readonly logId: string;
    readonly treeId?: string;
    readonly treeSize?: number;
  };
}

/** What the steps learn, in order; a step only reads what earlier steps set. */
interface State {
  key?: ComponentKey | undefined;
  content?: EndorsementContent;
  log?: TrustedLogKey | undefined;
  leaf?: Uint8Array;
  body?: Uint8Array;
  spec?: ProposedEntry;
  treeId?: bigint | undefined;
  checkpoint?: Checkpoint;
}

/** The statement and its detached signature: all the checks before the log entry read. */
export type SignedStatement = Pick<LoggedEndorsement, "statement" | "signature">;

type Step<E extends SignedStatement = LoggedEndorsement> = (logged: E, policy: EndorsementPolicy, state: State) => string | CheckSkipped;

const need = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error("verification step run out of order");
  return value;
};

function failWith<T>(check: EndorsementCheck, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CheckFailure) throw err;
    throw new CheckFailure(check, err instanceof ReftrailError ? err.message : `unexpected error: ${(err as Error).message}`);
  }
}

function candidateKeys(logged: SignedStatement, policy: EndorsementPolicy): readonly ComponentKey[] {
  if (policy.keys.kind === "keys") return policy.keys.keys;
  const claimed = claimedComponent(logged.statement);
  // The claim is unauthenticated here, but a mismatch is a failure either way: name it for what it is.
  if (policy.component !== undefined && claimed !== undefined && claimed !== policy.component) {
    throw new CheckFailure("COMPONENT", `the statement endorses '${claimed}', not '${policy.component}'`);
  }
  const component = policy.component ?? claimed;
  if (component === undefined) throw new CheckFailure("STATEMENT_SIGNATURE", "the statement names no component to look up in the key registry (pass --component)");
  const keys = policy.keys.registry.keysByComponent.get(component);
  if (!keys?.length) throw new CheckFailure("STATEMENT_SIGNATURE", `the key registry ${policy.keys.source} has no key for component '${component}'`);
  return keys;
}

/** The checks of the statement itself, which need no log entry. */
const STATEMENT_STEPS: readonly (readonly [EndorsementCheck, Step<SignedStatement>])[] = [
  [
    "STATEMENT_SIGNATURE",
    (ev, policy, st) => {
      const keys = candidateKeys(ev, policy);
      st.key = keys.find((k) => verifyStatementSignature(ev.statement, ev.signature, k.key));
      if (st.key === undefined) {
        const what = keys.length === 1 ? `the key from ${keys[0]!.source}` : `any of the ${keys.length} keys from ${keys[0]!.source}`;
        throw new CheckFailure("STATEMENT_SIGNATURE", `the signature is not a DER ECDSA P-256 signature over the statement bytes by ${what}`);
      }
      return `verified with key ${st.key.keyId} (${st.key.source})`;
    },
  ],
  [
    "STATEMENT_TYPE",
    (ev, policy, st) => {
      if (policy.signed === "artifact") return new CheckSkipped("the signed bytes are an artifact, not an endorsement");
      st.content = readEndorsement(ev.statement);
      return `${st.content.reftrail ? "reftrail" : "Oak"} endorsement v1 of '${st.content.subjectName}'`;
    },
  ],
  [
    "COMPONENT",
    (_e, policy, st) => {
      if (st.content === undefined) return new CheckSkipped("no statement");
      const { component } = st.content;
      if (policy.component !== undefined && policy.component !== component) {
        throw new CheckFailure("COMPONENT", `the statement endorses '${component}', not '${policy.component}'`);
      }
      return component;
    },
  ],
  [
    "VALIDITY",
    (_e, policy, st) => {
      if (st.content === undefined) return new CheckSkipped("no statement");
      const c = st.content;
      const at = formatRfc3339(policy.at);
      if (policy.at < c.notBefore) throw new CheckFailure("VALIDITY", `not yet valid at ${at} (notBefore ${c.validity.notBefore})`);
      if (policy.at > c.notAfter) throw new CheckFailure("VALIDITY", `expired at ${at} (notAfter ${c.validity.notAfter})`);
      return `${c.validity.notBefore} ≤ ${at} ≤ ${c.validity.notAfter}`;
    },
  ],
  [
    "CLAIMS",
    (_e, policy, st) => {
      if (st.content === undefined) return new CheckSkipped("no statement");
      const claims = st.content.claims;
      const missing = policy.requiredClaims.filter((c) => !claims.includes(c));
      if (missing.length) throw new CheckFailure("CLAIMS", `required claim${missing.length > 1 ? "s" : ""} missing: ${missing.join(", ")}`);
      return policy.requiredClaims.length ? `all ${policy.requiredClaims.length} present` : new CheckSkipped("no claims required");
    },
  ],
  [
    "SUBJECT_DIGEST",
    (_e, policy, st) => {
      const expected = policy.subjectDigest;
      if (expected === undefined) return new CheckSkipped("no expected digest given");
      if (st.content === undefined) return new CheckSkipped("no statement");
      const hex = expected.hex.toLowerCase();
      const algorithm = expected.algorithm ?? ({ 64: "sha256", 96: "sha384", 128: "sha512" } as Record<number, string>)[hex.length];
      if (algorithm === undefined) throw new CheckFailure("SUBJECT_DIGEST", `cannot tell the algorithm of a ${hex.length}-digit digest (write ALG:HEX)`);
      const actual = st.content.subjectDigests.get(algorithm);
      if (actual === undefined) throw new CheckFailure("SUBJECT_DIGEST", `the subject has no ${algorithm} digest`);
      if (actual !== hex) throw new CheckFailure("SUBJECT_DIGEST", `subject ${algorithm} is ${actual}, expected ${hex}`);
      return `${algorithm}:${hex}`;
    },
  ],
];

/** The key's registry window must contain `t`: the integration time, or before logging the time it is about to be. */
function keyWindowCheck(st: State, t: bigint, what: string): string | CheckSkipped {
  const window = need(st.key).validFor;
  if (window === undefined) return new CheckSkipped("the key was given directly, without a validity window");
  const end = window.end === undefined ? "open" : formatRfc3339(window.end);
  if (t < window.start || (window.end !== undefined && t > window.end)) {
    throw new CheckFailure("KEY_VALIDITY", `${what} ${formatRfc3339(t)}, outside key ${need(st.key).keyId}'s validity ${formatRfc3339(window.start)} .. ${end}`);
  }
  return `${formatRfc3339(window.start)} .. ${end}`;
}

/** The checks of the log entry and of the statement against it. */
const LOG_STEPS: readonly (readonly [EndorsementCheck, Step])[] = [
  [
    "LOG_ID",
    (ev, policy, st) => {
      st.log = policy.logs.find((l) => l.identity.logId === ev.entry.logID);
      if (st.log === undefined) throw new CheckFailure("LOG_ID", `entry logID ${ev.entry.logID} is not the SHA-256 of any trusted log key`);
      return `${ev.entry.logID} (${st.log.source})`;
    },
  ],
  [
    "SET",
    (ev, _p, st) => {
      failWith("SET", () => {
        const { leaf, body } = entryLeaf(ev.entry);
        checkEntrySet(ev.entry, need(st.log).identity.publicKey);
        st.leaf = leaf;
        st.body = body;
      });
      return `logIndex ${ev.entry.logIndex}, integratedTime ${formatRfc3339(secondsToNs(ev.entry.integratedTime))}`;
    },
  ],
  [
    "ENTRY_ID",
    (ev, _p, st) => {
      if (ev.entryId === undefined) return new CheckSkipped(`a ${ev.form === "bundle" ? "bundle" : "cosign SET"} carries no entry id`);
      st.treeId = failWith("ENTRY_ID", () => checkEntryId(ev.entryId!, need(st.leaf)));
      return ev.entryId;
    },
  ],
  [
    "BODY_KIND",
    (ev, _p, st) => {
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(need(st.body)).toString("utf8"));
      } catch {
        throw new CheckFailure("BODY_KIND", "the log body is not JSON");
      }
      const parsed = ProposedEntry.safeParse(json);
      if (!parsed.success) throw new CheckFailure("BODY_KIND", "the log body is not a rekord 0.0.1 (x509) or hashedrekord 0.0.1 entry");
      st.spec = parsed.data;
      if (ev.bundle && (ev.bundle.kind !== parsed.data.kind || ev.bundle.version !== parsed.data.apiVersion)) {
        throw new CheckFailure("BODY_KIND", `the bundle declares ${ev.bundle.kind} ${ev.bundle.version} but the body is ${parsed.data.kind} ${parsed.data.apiVersion}`);
      }
      return `${parsed.data.kind} ${parsed.data.apiVersion}`;
    },
  ],
  [
    "BODY_HASH",
    (ev, _p, st) => {
      const statementHash = createHash("sha256").update(ev.statement).digest();
      const { algorithm, value } = need(st.spec).spec.data.hash;
      if (algorithm !== "sha256" || value !== toHex(statementHash)) {
        throw new CheckFailure("BODY_HASH", `the log body hashes ${algorithm}:${value}, not the statement (sha256:${toHex(statementHash)})`);
      }
      if (ev.bundle && !bytesEqual(ev.bundle.messageDigest, statementHash)) throw new CheckFailure("BODY_HASH", "the bundle's message digest is not SHA-256 of the statement");
      return `sha256:${value}`;
    },
  ],
  [
    "BODY_KEY",
    (_e, _p, st) => {
      const bodyKey = failWith("BODY_KEY", () => entryKey(need(st.spec).spec.signature.publicKey.content).key);
      if (!sameKey(bodyKey, need(st.key).key)) throw new CheckFailure("BODY_KEY", `the log body's key (${keyIdOf(bodyKey)}) is not the component key`);
      return need(st.key).keyId;
    },
  ],
  [
    "BODY_SIGNATURE",
    (ev, _p, st) => {
      const logged = Buffer.from(need(st.spec).spec.signature.content, "base64");
      if (!bytesEqual(logged, ev.signature)) throw new CheckFailure("BODY_SIGNATURE", "the log body's signature differs from the endorsement signature");
      if (ev.bundle && !bytesEqual(ev.bundle.signature, ev.signature)) throw new CheckFailure("BODY_SIGNATURE", "the bundle's signature differs from endorsement.json.sig");
      return "identical bytes";
    },
  ],
  [
    "CHECKPOINT_SIGNATURE",
    (ev, policy, st) => {
      const proof = ev.entry.verification.inclusionProof;
      if (proof === undefined) {
        if (policy.allowSetOnly) return new CheckSkipped("SET-only entry accepted by --allow-set-only");
        throw new CheckFailure("INCLUSION_PROOF", "the entry has no inclusion proof or checkpoint, only a SET (pass --allow-set-only to accept that lower assurance)");
      }
      const log = need(st.log);
      try {
        const { checkpoint, treeId } = checkProofCheckpoint(proof, log.identity, log.name, st.treeId);
        st.checkpoint = checkpoint;
        st.treeId = treeId;
      } catch (err) {
        if (err instanceof ReftrailError && err.code === "CHECKPOINT_ORIGIN") throw new CheckFailure("CHECKPOINT_ORIGIN", err.message);
        throw new CheckFailure("CHECKPOINT_SIGNATURE", err instanceof ReftrailError ? err.message : String(err));
      }
      return `signed by ${log.source}`;
    },
  ],
  [
    "CHECKPOINT_ORIGIN",
    (_e, _p, st) => (st.checkpoint ? st.checkpoint.origin : new CheckSkipped("no checkpoint")),
  ],
  [
    "INCLUSION_PROOF",
    (ev, _p, st) => {
      const proof = ev.entry.verification.inclusionProof;
      if (proof === undefined || st.checkpoint === undefined) return new CheckSkipped("no inclusion proof");
      failWith("INCLUSION_PROOF", () => checkInclusion(proof, need(st.leaf), st.checkpoint!));
      return `index ${proof.logIndex} in tree of size ${proof.treeSize}`;
    },
  ],
  [
    "LOG_TIME",
    (ev, policy, st) => {
      const t = secondsToNs(ev.entry.integratedTime);
      const c = st.content;
      const when = formatRfc3339(t);
      if (t > policy.at) throw new CheckFailure("LOG_TIME", `logged at ${when}, after the verification time ${formatRfc3339(policy.at)}`);
      if (c && (t < c.notBefore || t > c.notAfter)) throw new CheckFailure("LOG_TIME", `logged at ${when}, outside the endorsement's validity ${c.validity.notBefore} .. ${c.validity.notAfter}`);
      const window = need(st.log).validFor;
      if (window && ((window.start !== undefined && t < window.start) || (window.end !== undefined && t > window.end))) {
        throw new CheckFailure("LOG_TIME", `logged at ${when}, outside the validity of the log key (${need(st.log).source})`);
      }
      return when;
    },
  ],
  ["KEY_VALIDITY", (ev, _p, st) => keyWindowCheck(st, secondsToNs(ev.entry.integratedTime), "logged at")],
];

const STEPS: readonly (readonly [EndorsementCheck, Step])[] = [...STATEMENT_STEPS, ...LOG_STEPS];

/** A shared-model result as one of these checks (every endorsement check result carries a detail, "" when there is none). */
const narrowed = (result: CheckResult, check: EndorsementCheck): EndorsementCheckResult => ({ ...result, check, detail: result.detail ?? "" });

/** Runs steps in order until one fails; a step may fail a later check (no proof fails INCLUSION_PROOF while checking the checkpoint). */
function runSteps<E extends SignedStatement>(steps: readonly (readonly [EndorsementCheck, Step<E>])[], logged: E, policy: EndorsementPolicy, state: State): Pick<EndorsementVerdict, "verified" | "failures" | "failure" | "checks"> {
  const results = new Map<EndorsementCheck, EndorsementCheckResult>();
  let failure: EndorsementVerdict["failure"];
  for (const [check, step] of steps) {
    if (failure || results.has(check)) continue;
    const description = ENDORSEMENT_CHECKS[check];
    try {
      const outcome = step(logged, policy, state);
      results.set(check, outcome instanceof CheckSkipped ? narrowed(checkResult.skipped(check, description, outcome.reason), check) : narrowed(checkResult.passed(check, description, undefined, undefined, outcome), check));
    } catch (err) {
      const failed = err instanceof CheckFailure ? err.code : check;
      const message = err instanceof ReftrailError ? err.message : `unexpected error: ${err instanceof Error ? err.message : String(err)}`;
      failure = { check: failed, message };
      results.set(failed, narrowed(checkResult.failed(failed, ENDORSEMENT_CHECKS[failed], message), failed));
    }
  }
  const checks = steps.map(([check]) => results.get(check) ?? narrowed(checkResult.notRun(check, ENDORSEMENT_CHECKS[check], ""), check));
  return { verified: failure === undefined, failures: failure ? [failure.check] : [], ...(failure ? { failure } : {}), checks };
}

/**
 * The checks that need no log, run before an endorsement is submitted to one: the statement
 * signature by the component key (with a registry: a key registered for the component), the
 * statement as a verifier reads it, component, validity at `policy.at`, claims, subject digest, and
 * the key's registry window at `policy.at` (the entry is integrated about then). A statement that
 * fails any of these would stay in an append-only log for good and never verify.
 */
export function verifyBeforeLogging(signed: SignedStatement, policy: EndorsementPolicy): Pick<EndorsementVerdict, "verified" | "failures" | "failure" | "checks"> & { readonly content?: EndorsementContent } {
  const state: State = {};
  const steps: readonly (readonly [EndorsementCheck, Step<SignedStatement>])[] = [...STATEMENT_STEPS, ["KEY_VALIDITY", (_e, p, st) => keyWindowCheck(st, p.at, "to be logged at")]];
  return { ...runSteps(steps, signed, policy, state), ...(state.content ? { content: state.content } : {}) };
}

/**
 * Verifies one endorsement against a policy by running every check in order; the first failure
 * stops it (later checks are reported as not run). Any unexpected exception fails the check that
 * was running: this function never accepts by accident and never throws.
 */
export function verifyEndorsement(logged: LoggedEndorsement, policy: EndorsementPolicy): EndorsementVerdict {
  const state: State = {};
  return { ...runSteps(STEPS, logged, policy, state), ...summaries(logged, state) };
}

/** Identifies a component's reference values for comparison without carrying them in every verdict. */
export function referenceValuesDigest(component: object): string {
  let digest = VALUES_DIGESTS.get(component);
  if (digest === undefined) VALUES_DIGESTS.set(component, (digest = createHash("sha256").update(canonicalJson(component)).digest("hex")));
  return digest;
}

/** By object: the reference values of a statement read once (readEndorsement keeps them) are hashed once. */
const VALUES_DIGESTS = new WeakMap<object, string>();

function summaries(logged: LoggedEndorsement, st: State): Pick<EndorsementVerdict, "endorsement" | "logEntry"> {
  const c = st.content;
  const proof = logged.entry.verification.inclusionProof;
  return {
    ...(c
      ? {
          endorsement: {
            component: c.component,
            subject: { name: c.subjectName, digest: Object.fromEntries(c.subjectDigests) },
            issuedOn: c.issuedOn,
            validity: c.validity,
            claims: c.claims,
            ...(st.key ? { keyId: st.key.keyId } : {}),
            ...(c.reftrail ? { reftrail: { release: c.reftrail.release, component: c.reftrail.component.name, valuesSha256: referenceValuesDigest(c.reftrail.component) } } : {}),
          },
        }
      : {}),
    logEntry: {
      form: logged.form,
      ...(logged.entryId ? { entryId: logged.entryId } : {}),
      logIndex: logged.entry.logIndex,
      integratedTime: formatRfc3339(secondsToNs(logged.entry.integratedTime)),
      logId: logged.entry.logID,
      ...(st.treeId !== undefined ? { treeId: st.treeId.toString() } : {}),
      ...(proof ? { treeSize: proof.treeSize } : {}),
    },
  };
}
