import { z } from "zod";
import { DigestSet } from "./digests.js";
import { ComponentValues, type ReferenceValues } from "./reference-values.js";
import { ComponentName } from "./release-manifest.js";
import { Rfc3339 } from "./time.js";

/**
 * The largest statement a reftrail verifier reads (16 MiB). Measure, endorse and publish refuse to
 * produce or log anything larger, so nothing reaches a log that could never be verified.
 */
export const MAX_STATEMENT_BYTES = 16 << 20;

export const IN_TOTO_STATEMENT_V1 = "https://in-toto.io/Statement/v1" as const;
/** Oak's endorsement predicate (docs/tr/endorsement_v1.md); the only one Oak accepts since 2025-07. */
export const OAK_ENDORSEMENT_V1 = "https://project-oak.github.io/oak/tr/endorsement/v1" as const;
/** Predicate types Oak used before, recognised only to say why they are refused. */
export const LEGACY_PREDICATE_TYPES: readonly string[] = [
  "https://github.com/project-oak/transparent-release/claim/v1",
  "https://github.com/project-oak/transparent-release/claim/v2",
];

/**
 * reftrail's reference values for the endorsed component, carried inside Oak's predicate under
 * `predicate.reftrail`. Oak ignores unknown predicate members, so the statement stays a valid Oak
 * endorsement while a reftrail verifier can read the launch digests and kernel digests it vouches for.
 */
export const ReftrailPredicate = z
  .object({
    version: z.literal(1),
    release: z.object({ name: ComponentName, version: z.string() }).strict(),
    component: ComponentValues,
  })
  .strict()
  .describe("the component's reference values exactly as `reftrail measure release` computed them");
export type ReftrailPredicate = z.infer<typeof ReftrailPredicate>;

/** The statement reftrail writes: in-toto Statement v1 with Oak's endorsement predicate. */
export const EndorsementStatement = z
  .object({
    _type: z.literal(IN_TOTO_STATEMENT_V1),
    predicateType: z.literal(OAK_ENDORSEMENT_V1),
    subject: z.array(z.object({ name: z.string(), digest: DigestSet }).strict()).length(1),
    predicate: z
      .object({
        issuedOn: Rfc3339,
        validity: z.object({ notBefore: Rfc3339, notAfter: Rfc3339 }).strict().describe("both bounds inclusive"),
        claims: z.array(z.object({ type: z.string().min(1) }).strict()),
        reftrail: ReftrailPredicate.optional(),
      })
      .strict(),
  })
  .strict()
  .describe("An endorsement (`endorsement.json`): signed as its exact bytes with the component's ECDSA P-256 key");
export type EndorsementStatement = z.infer<typeof EndorsementStatement>;

/**
 * How a verifier reads any endorsement, Oak's included: unknown members are ignored everywhere (as
 * Oak does); what is checked is checked by the verifier with its own failure codes.
 */
export const ReadableStatement = z.looseObject({
  _type: z.string(),
  predicateType: z.string(),
  subject: z.array(z.looseObject({ name: z.string().optional(), digest: z.record(z.string(), z.string()) })),
  predicate: z.looseObject({
    issuedOn: z.string(),
    validity: z.looseObject({ notBefore: z.string(), notAfter: z.string() }).optional(),
    claims: z.array(z.looseObject({ type: z.string() })).optional(),
    reftrail: z.unknown().optional(),
  }),
});
export type ReadableStatement = z.infer<typeof ReadableStatement>;

/** Issue time and inclusive validity bounds, as RFC 3339 text. */
export interface StatementTimes {
  readonly issuedOn: string;
  readonly notBefore: string;
  readonly notAfter: string;
}

/**
 * The endorsement of one component of a release, as reftrail lays it out: Oak's predicate
 * (subject, validity, claims) with the component's reference values under `predicate.reftrail`.
 */
export function endorsementStatement(release: ReferenceValues["release"], component: ComponentValues, times: StatementTimes): EndorsementStatement {
  return {
    _type: IN_TOTO_STATEMENT_V1,
    predicateType: OAK_ENDORSEMENT_V1,
    subject: [{ name: component.subject.name, digest: component.subject.digest }],
    predicate: {
      issuedOn: times.issuedOn,
      validity: { notBefore: times.notBefore, notAfter: times.notAfter },
      claims: component.claims.map((type) => ({ type })),
      reftrail: { version: 1, release, component },
    },
  };
}

/** The bytes that are signed and published, once and for all: 2-space JSON and a final newline, as Oak's releases. */
export function statementBytes(statement: EndorsementStatement): Uint8Array {
  return Buffer.from(`${JSON.stringify(statement, null, 2)}\n`, "utf8");
}

/** The longest RFC 3339 time reftrail writes (nanoseconds, UTC). */
const LONGEST_TIME = "0000-00-00T00:00:00.000000000Z";

/**
 * The most bytes the endorsement of `component` can take, whatever its times: what `measure
 * release` compares with MAX_STATEMENT_BYTES, so that no reference values are produced that could
 * only be endorsed as a statement no verifier reads.
 */
export function statementSizeBound(release: ReferenceValues["release"], component: ComponentValues): number {
  return statementBytes(endorsementStatement(release, component, { issuedOn: LONGEST_TIME, notBefore: LONGEST_TIME, notAfter: LONGEST_TIME })).byteLength;
}

/** "44,912,345 bytes": sizes in messages, decimal and exact. */
export function describeSize(bytes: number): string {
  return `${bytes.toLocaleString("en-US")} bytes`;
}
