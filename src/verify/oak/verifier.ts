import { createHash } from "node:crypto";
import { BoundedCache } from "../../util/bounded-cache.js";
import { EndorsementsSchema, type Endorsements } from "../../schema/oak/gen/proto/attestation/endorsement_pb.js";
import { EvidenceSchema, type Evidence } from "../../schema/oak/gen/proto/attestation/evidence_pb.js";
import { ReferenceValuesSchema, type ReferenceValues } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";
import type { OakComponentRow, OakEvidenceVerdict } from "../../schema/oak-verdict.js";
import { checkResult, verdictOf, type CheckResult } from "../../schema/verdict.js";
import { formatRfc3339 } from "../../util/rfc3339.js";
import { EndorsementCache } from "./compare.js";
import { compareKernelLayer, compareStage0, compareUpperLayers } from "./components.js";
import { verifyDice } from "./dice.js";
import { inInput, OakInputError } from "./errors.js";
import { readEventLog } from "./event-log.js";
import { decodeMessage } from "./proto.js";
import { verifyRootLayer } from "./root-layer.js";
import { endorsementVariantsCheck, teeCertificate } from "./endorsement-variants.js";

/** Oak's three inputs, decoded. */
export interface OakInputs {
  readonly evidence: Evidence;
  readonly endorsements: Endorsements;
  readonly referenceValues: ReferenceValues;
}

/** Oak's binary messages; any malformation is an OakInputError naming the message (and field). */
export const decodeEvidence = (bytes: Uint8Array): Evidence => decodeMessage(EvidenceSchema, bytes, "Evidence");
export const decodeEndorsements = (bytes: Uint8Array): Endorsements => DECODED_ENDORSEMENTS.getOrCompute(contentKey(bytes), () => decodeMessage(EndorsementsSchema, bytes, "Endorsements"));
export const decodeReferenceValues = (bytes: Uint8Array): ReferenceValues => DECODED_REFERENCE_VALUES.getOrCompute(contentKey(bytes), () => decodeMessage(ReferenceValuesSchema, bytes, "ReferenceValues"));

/**
 * A verifier checks the evidence of many VMs against the same endorsements and reference values:
 * those two (not the evidence) are decoded once per content. Decoded messages are read, never changed.
 */
const DECODED_ENDORSEMENTS = new BoundedCache<string, Endorsements>(16);
const DECODED_REFERENCE_VALUES = new BoundedCache<string, ReferenceValues>(16);
const contentKey = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export function decodeOakInputs(evidence: Uint8Array, endorsements: Uint8Array, referenceValues: Uint8Array): OakInputs {
  return { evidence: decodeEvidence(evidence), endorsements: decodeEndorsements(endorsements), referenceValues: decodeReferenceValues(referenceValues) };
}

const EVIDENCE_TYPE = "evidence, endorsements and reference values describe the same boot chain (Oak Containers or restricted kernel)";

/**
 * Verifies Oak evidence as Oak's one-shot verifier does, with reftrail's checks where they are
 * stricter: the root layer (SEV-SNP report, VCEK chain, Oak's report values, ECA key binding), the
 * DICE chain and event binding, then every component against its reference value (digests, an
 * endorsement verified with reftrail's endorsement checks including the Rekor inclusion proof and
 * checkpoint, a regex or literals, or skip). Every check runs; the verdict lists each and one row
 * per component. Malformed input (protobuf, CBOR, COSE, report, certificate) throws an input
 * error; nothing else does.
 */
export function verifyOakEvidence(inputs: OakInputs, at: bigint): OakEvidenceVerdict {
  const { evidence, endorsements, referenceValues } = inputs;
  const root = evidence.rootLayer;
  if (root === undefined) throw new OakInputError("OAK_PROTOBUF", "Evidence.root_layer is missing", "Evidence");
  const checks: CheckResult[] = [];
  const components: OakComponentRow[] = [];

  const dice = inInput("Evidence", undefined, () => verifyDice(evidence));
  const values = inInput("Evidence", undefined, () => readEventLog(evidence));
  const vcek = inInput("Endorsements", undefined, () => teeCertificate(endorsements));
  const rvType = referenceValues.type;
  const enType = endorsements.type;
  const same = rvType.case === enType.case && rvType.case === (values.kind === "oak_containers" ? "oakContainers" : "oakRestrictedKernel");
  const rvs = rvType.case === "oakContainers" || rvType.case === "oakRestrictedKernel" ? rvType.value : undefined;
  const ens = enType.case === "oakContainers" || enType.case === "oakRestrictedKernel" ? enType.value : undefined;
  if (!same || rvs === undefined || ens === undefined) {
    checks.push(checkResult.failed("EVIDENCE_TYPE", EVIDENCE_TYPE, "the three inputs must all be Oak Containers or all restricted kernel", values.kind, `endorsements ${enType.case ?? "unset"}, reference values ${rvType.case ?? "unset"}`));
    const rootOnly = verifyRootLayer(root, vcek, undefined, at);
    return finish([...checks, ...rootOnly.checks, ...dice.checks], components, at, values.kind);
  }
  checks.push(checkResult.passed("EVIDENCE_TYPE", EVIDENCE_TYPE, values.kind));

  const rootOutcome = verifyRootLayer(root, vcek, rvs.rootLayer, at);
  checks.push(...rootOutcome.checks, ...dice.checks, inInput("Endorsements", undefined, () => endorsementVariantsCheck(endorsements)));

  const cache = new EndorsementCache(at);
  const compared = [compareStage0(rvs, ens, rootOutcome, cache), ...compareKernelLayer(rvs, ens, values.stage0, cache), ...compareUpperLayers(values, rvs, ens, cache)];
  for (const c of compared) {
    checks.push(c.check);
    components.push(c.row);
  }
  return finish(checks, components, at, values.kind);
}

function finish(checks: readonly CheckResult[], components: OakComponentRow[], at: bigint, evidenceType: OakEvidenceVerdict["evidenceType"]): OakEvidenceVerdict {
  return { format: "oak", at: formatRfc3339(at), ...(evidenceType ? { evidenceType } : {}), ...verdictOf(checks), components };
}
