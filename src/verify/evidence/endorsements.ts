import type { ComponentRule, EndorsementRule, EvidencePolicy } from "../../schema/evidence-policy.js";
import type { EndorsementOutcome } from "../../schema/evidence-verdict.js";
import type { ComponentValues } from "../../schema/reference-values.js";
import { ReftrailError } from "../../util/errors.js";
import { parseRfc3339 } from "../../util/rfc3339.js";
import type { KeySource } from "../../keys/key-source.js";
import type { LoggedEndorsement } from "../../tlog/logged-endorsement.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import type { EndorsementPolicy } from "../endorsement/policy.js";
import { claimedComponent, readEndorsement } from "../endorsement/statement.js";
import { referenceValuesDigest, verifyEndorsement, type EndorsementVerdict } from "../endorsement/verifier.js";

/** An endorsement as the evidence verifier was given it, before anything in it is trusted. */
export interface FoundEndorsement {
  /** Where it was found: a folder, or a log and index, for the report. */
  readonly source: string;
  readonly logged: LoggedEndorsement;
}

/** What the endorsement source and the trust anchors are: keys by component, and the logs. */
export interface EndorsementTrust {
  readonly keys: KeySource;
  readonly logs: readonly TrustedLogKey[];
  /** Verification time, ns since the epoch. */
  readonly at: bigint;
}

export type { EndorsementOutcome };

/** A component value an endorsement vouches for, after every check passed. */
export interface EndorsedValue {
  readonly component: string;
  readonly values: ComponentValues;
  readonly outcome: EndorsementOutcome;
}

function endorsementPolicy(component: string, rule: EndorsementRule, trust: EndorsementTrust): EndorsementPolicy {
  const keys: KeySource =
    rule.keyIds === undefined || trust.keys.kind !== "registry"
      ? trust.keys
      : {
          ...trust.keys,
          registry: {
            ...trust.keys.registry,
            keysByComponent: new Map([[component, (trust.keys.registry.keysByComponent.get(component) ?? []).filter((k) => rule.keyIds!.includes(k.keyId))]]),
          },
        };
  const logs = rule.log.logIds === undefined ? trust.logs : trust.logs.filter((l) => rule.log.logIds!.includes(l.identity.logId));
  return { keys, logs, at: trust.at, requiredClaims: rule.claims, component, allowSetOnly: !rule.log.inclusionProof };
}

/** Why a verified endorsement cannot give the component's value at all: no reftrail values, or values of another kind. */
function unusable(component: ComponentRule, values: ComponentValues | undefined): string | undefined {
  if (values === undefined) return "the endorsement carries no reftrail reference values (predicate.reftrail), so it cannot be recomputed from";
  // The policy says what the component is: an endorsement of another kind under its name is not its value.
  if (values.kind !== component.kind) return `endorses a ${values.kind}; the policy's '${values.name}' is a ${component.kind}`;
  return undefined;
}

/** What the component rule pins beyond the endorsement checks: release, exact values, log time. */
function pinProblem(rule: EndorsementRule, verdict: EndorsementVerdict, values: ComponentValues, release: { name: string; version: string }): string | undefined {
  if (rule.release !== undefined) {
    if (release.name !== rule.release.name || (rule.release.version !== undefined && release.version !== rule.release.version)) {
      return `endorses release ${release.name} ${release.version}; the policy requires ${rule.release.name}${rule.release.version !== undefined ? ` ${rule.release.version}` : ""}`;
    }
  }
  if (rule.valuesSha256 !== undefined && referenceValuesDigest(values) !== rule.valuesSha256) {
    return `endorses other reference values (sha256 ${referenceValuesDigest(values)}) than the policy pins (${rule.valuesSha256})`;
  }
  const logged = verdict.logEntry?.integratedTime;
  const t = logged === undefined ? undefined : parseRfc3339(logged);
  if (t !== undefined) {
    const after = rule.log.integratedAfter === undefined ? undefined : parseRfc3339(rule.log.integratedAfter);
    const before = rule.log.integratedBefore === undefined ? undefined : parseRfc3339(rule.log.integratedBefore);
    if (after !== undefined && t < after) return `logged at ${logged}, before the policy's integratedAfter ${rule.log.integratedAfter}`;
    if (before !== undefined && t > before) return `logged at ${logged}, after the policy's integratedBefore ${rule.log.integratedBefore}`;
  }
  return undefined;
}

/**
 * Verifies every endorsement found for a component the policy wants endorsed, with that
 * component's rule (its keys, claims and log requirements), and keeps the values of those that
 * pass every check and the rule's pins (release, values, log time). Nothing in an endorsement is
 * read as a value before that: a failed one is reported with the check that failed, never used.
 * `verified` also holds the values that failed only a pin: not usable for the verdict, but what
 * a diagnosis searches (another release of the same component, verified the same way).
 */
export function endorsedValues(found: readonly FoundEndorsement[], policy: EvidencePolicy, trust: EndorsementTrust): { values: EndorsedValue[]; verified: EndorsedValue[]; outcomes: EndorsementOutcome[] } {
  const values: EndorsedValue[] = [];
  const verified: EndorsedValue[] = [];
  const outcomes: EndorsementOutcome[] = [];
  for (const { source, logged } of found) {
    const component = claimedComponent(logged.statement);
    const rule: ComponentRule | undefined = component === undefined ? undefined : policy.components[component];
    if (component === undefined || rule?.endorsement === undefined) {
      outcomes.push({ source, component, accepted: false, refused: { check: "POLICY", message: component === undefined ? "names no component" : `the policy does not take '${component}' from an endorsement` } });
      continue;
    }
    let verdict: EndorsementVerdict;
    try {
      verdict = verifyEndorsement(logged, endorsementPolicy(component, rule.endorsement, trust));
    } catch (err) {
      // verifyEndorsement never throws by design; should it, the endorsement is refused, not used.
      outcomes.push({ source, component, accepted: false, refused: { check: "ENDORSEMENT", message: err instanceof ReftrailError ? err.message : "unexpected error" } });
      continue;
    }
    const where = { ...(verdict.logEntry ? { logIndex: verdict.logEntry.logIndex } : {}), ...(verdict.endorsement?.keyId ? { keyId: verdict.endorsement.keyId } : {}) };
    if (!verdict.verified) {
      outcomes.push({ source, component, accepted: false, refused: verdict.failure!, ...where });
      continue;
    }
    const own = readEndorsement(logged.statement).reftrail;
    const release = own ? `${own.release.name} ${own.release.version}` : undefined;
    const refusal = unusable(rule, own?.component);
    if (refusal !== undefined || own === undefined) {
      outcomes.push({ source, component, accepted: false, refused: { check: "POLICY", message: refusal! }, ...(release ? { release } : {}), ...where });
      continue;
    }
    const problem = pinProblem(rule.endorsement, verdict, own.component, own.release);
    const outcome: EndorsementOutcome = problem === undefined ? { source, component, accepted: true, release: release!, ...where } : { source, component, accepted: false, refused: { check: "POLICY", message: problem }, release: release!, ...where };
    outcomes.push(outcome);
    verified.push({ component, values: own.component, outcome });
    if (problem === undefined) values.push({ component, values: own.component, outcome });
  }
  return { values, verified, outcomes };
}

