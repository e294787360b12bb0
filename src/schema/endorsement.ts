import { z } from "zod";
import { DigestSet } from "./digests.js";
import { ComponentValues } from "./reference-values.js";
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
