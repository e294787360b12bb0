import { EndorsementStatement, IN_TOTO_STATEMENT_V1, OAK_ENDORSEMENT_V1 } from "../schema/endorsement.js";
import type { ComponentValues, ReferenceValues } from "../schema/reference-values.js";
import { formatRfc3339 } from "../util/rfc3339.js";
import { EndorseError } from "./errors.js";

/** Inclusive validity bounds and issue time, ns since the epoch. */
export interface EndorsementTimes {
  readonly issuedOn: bigint;
  readonly notBefore: bigint;
  readonly notAfter: bigint;
}

/**
 * The endorsement of one component of a release: Oak's predicate (subject, validity, claims) with
 * the component's reference values under `predicate.reftrail`. Checked against the schema before it
 * is returned, so nothing malformed is ever signed.
 */
export function componentStatement(release: ReferenceValues["release"], component: ComponentValues, times: EndorsementTimes): EndorsementStatement {
  if (times.notAfter < times.notBefore) throw new EndorseError("ENDORSEMENT_INVALID", "validity ends before it begins");
  const statement = {
    _type: IN_TOTO_STATEMENT_V1,
    predicateType: OAK_ENDORSEMENT_V1,
    subject: [{ name: component.subject.name, digest: component.subject.digest }],
    predicate: {
      issuedOn: formatRfc3339(times.issuedOn),
      validity: { notBefore: formatRfc3339(times.notBefore), notAfter: formatRfc3339(times.notAfter) },
      claims: component.claims.map((type) => ({ type })),
      reftrail: { version: 1 as const, release, component },
    },
  };
  const checked = EndorsementStatement.safeParse(statement);
  if (!checked.success) throw new EndorseError("ENDORSEMENT_INVALID", `statement for ${component.name} does not match its schema: ${checked.error.issues[0]!.message}`);
  return checked.data;
}

/** The bytes that are signed and published, once and for all: 2-space JSON and a final newline, as Oak's releases. */
export function statementBytes(statement: EndorsementStatement): Uint8Array {
  return Buffer.from(`${JSON.stringify(statement, null, 2)}\n`, "utf8");
}
