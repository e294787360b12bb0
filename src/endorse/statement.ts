import { EndorsementStatement, MAX_STATEMENT_BYTES, describeSize, endorsementStatement, statementBytes } from "../schema/endorsement.js";
import type { ComponentValues, ReferenceValues } from "../schema/reference-values.js";
import { formatRfc3339 } from "../util/rfc3339.js";
import { EndorseError } from "./errors.js";

export { statementBytes };

/** Inclusive validity bounds and issue time, ns since the epoch. */
export interface EndorsementTimes {
  readonly issuedOn: bigint;
  readonly notBefore: bigint;
  readonly notAfter: bigint;
}

/**
 * The endorsement of one component of a release (see endorsementStatement), checked against the
 * schema and against the size a verifier reads before it is returned, so that nothing malformed
 * or unverifiable is ever signed.
 */
export function componentStatement(release: ReferenceValues["release"], component: ComponentValues, times: EndorsementTimes): EndorsementStatement {
  return signableStatement(release, component, times).statement;
}

/** As componentStatement, with the bytes to sign (serialised once: a firmware statement can be megabytes). */
export function signableStatement(release: ReferenceValues["release"], component: ComponentValues, times: EndorsementTimes): { statement: EndorsementStatement; bytes: Uint8Array } {
  if (times.notAfter < times.notBefore) throw new EndorseError("ENDORSEMENT_INVALID", "validity ends before it begins");
  const statement = endorsementStatement(release, component, {
    issuedOn: formatRfc3339(times.issuedOn),
    notBefore: formatRfc3339(times.notBefore),
    notAfter: formatRfc3339(times.notAfter),
  });
  const checked = EndorsementStatement.safeParse(statement);
  if (!checked.success) throw new EndorseError("ENDORSEMENT_INVALID", `statement for ${component.name} does not match its schema: ${checked.error.issues[0]!.message}`);
  const bytes = statementBytes(checked.data);
  const size = bytes.byteLength;
  if (size > MAX_STATEMENT_BYTES) {
    throw new EndorseError(
      "ENDORSEMENT_INVALID",
      `the endorsement of ${component.name} would be ${describeSize(size)}, more than the ${describeSize(MAX_STATEMENT_BYTES)} a verifier reads: measure fewer launch-digest configurations`,
    );
  }
  return { statement: checked.data, bytes };
}
