import { create } from "@bufbuild/protobuf";
import { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import {
  C2SPTLogProofReferenceValueSchema,
  TimestampReferenceValueSchema,
  VerifyingKeyReferenceValueSchema,
  type EndorsementReferenceValue,
} from "../../../src/schema/oak/gen/proto/attestation/reference_value_pb.js";
import type { OakEvidenceVerdict } from "../../../src/schema/oak-verdict.js";
import { verifyOakEvidence, type OakInputs } from "../../../src/verify/oak/verifier.js";
import { RELEASE_TIME, copyInputs, derivedReferenceValues, loadSet } from "./sets.js";

/** The t-log requirements of an EndorsementReferenceValue (spec §4.4), on the initrd endorsement of milan_oc_release. */

const RELEASE = loadSet("milan_oc_release", derivedReferenceValues("milan_oc_release"));

function initrdRv(inputs: OakInputs): EndorsementReferenceValue {
  const rv = inputs.referenceValues.type;
  if (rv.case !== "oakContainers" || rv.value.kernelLayer?.initRamFs?.type.case !== "endorsement") throw new Error("initrd endorsement");
  return rv.value.kernelLayer.initRamFs.type.value;
}
function initrdEntry(inputs: OakInputs): { integratedTime: number } {
  if (inputs.endorsements.type.case !== "oakContainers") throw new Error("type");
  const text = Buffer.from(inputs.endorsements.type.value.kernelLayer!.initRamFs!.rekorLogEntry).toString("utf8");
  return Object.values(JSON.parse(text) as Record<string, { integratedTime: number }>)[0]!;
}
function withRv(change: (rv: EndorsementReferenceValue, inputs: OakInputs) => void): OakEvidenceVerdict {
  const inputs = copyInputs(RELEASE);
  change(initrdRv(inputs), inputs);
  return verifyOakEvidence(inputs, RELEASE_TIME);
}
/** Breaks the initrd's Rekor entry (and drops the event-based copies, which would no longer agree). */
const breakEntry = (inputs: OakInputs) => {
  if (inputs.endorsements.type.case !== "oakContainers") throw new Error("type");
  inputs.endorsements.type.value.kernelLayer!.initRamFs!.rekorLogEntry = new TextEncoder().encode("not a log entry");
  inputs.endorsements.events = [];
};

/** The initrd entry's integratedTime, read from its Rekor entry JSON. */
const INTEGRATED = BigInt(initrdEntry(RELEASE).integratedTime);

describe("t-log reference values", () => {

  it("the deprecated rekor { verify } checks the entry like tlog { all, rekor }", () => {
    const verify = (rv: EndorsementReferenceValue) => {
      rv.rekor = create(VerifyingKeyReferenceValueSchema, { type: { case: "verify", value: rv.tlog!.rekor! } });
      rv.tlog = undefined;
    };
    expect(withRv(verify).failures).toEqual([]);
    expect(withRv((rv, i) => (verify(rv), breakEntry(i))).failures).toEqual(["INITRD"]);
  });

  it("rekor { skip } and tlog { skip } do not read the entry; neither tlog nor rekor is an error", () => {
    expect(withRv((rv, i) => ((rv.rekor = create(VerifyingKeyReferenceValueSchema, { type: { case: "skip", value: {} } })), (rv.tlog = undefined), breakEntry(i))).failures).toEqual([]);
    expect(withRv((rv, i) => ((rv.tlog!.strategy = { case: "skip", value: { $typeName: "oak.attestation.v1.SkipVerification" } }), breakEntry(i))).failures).toEqual([]);
    const neither = withRv((rv) => void (rv.tlog = undefined));
    expect(neither.failures).toEqual(["INITRD"]);
    expect(neither.checks.find((c) => c.check === "INITRD")!.detail).toMatch(/neither tlog nor rekor/);
  });

  it("tlog { any } passes with a passing Rekor check, fails with nothing populated or only C2SP", () => {
    expect(withRv((rv) => void (rv.tlog!.strategy = { case: "any", value: { $typeName: "google.protobuf.Empty" } })).failures).toEqual([]);
    expect(withRv((rv) => ((rv.tlog!.strategy = { case: "any", value: { $typeName: "google.protobuf.Empty" } }), (rv.tlog!.rekor = undefined))).failures).toEqual(["INITRD"]);
    const c2sp = withRv((rv) => void (rv.tlog!.c2sp = create(C2SPTLogProofReferenceValueSchema, { policy: "log x" })));
    expect(c2sp.failures).toEqual(["INITRD"]);
    expect(c2sp.checks.find((c) => c.check === "INITRD")!.detail).toMatch(/c2sp proofs, which reftrail does not verify/);
  });

  it("tlog { all } with nothing populated checks no log", () => {
    expect(withRv((rv, i) => ((rv.tlog!.rekor = undefined), breakEntry(i))).failures).toEqual([]);
  });

  it("signed_timestamp: not_before_absolute and not_before_relative bound the integration time", () => {
    const seconds = (s: bigint) => create(TimestampSchema, { seconds: s });
    const absolute = (s: bigint) => withRv((rv) => void (rv.tlog!.rekor!.signedTimestamp = create(TimestampReferenceValueSchema, { notBeforeAbsolute: seconds(s) })));
    expect(absolute(INTEGRATED).failures).toEqual([]);
    expect(absolute(INTEGRATED + 1n).failures).toEqual(["INITRD"]);
    const relative = (s: bigint) => withRv((rv) => void (rv.tlog!.rekor!.signedTimestamp = create(TimestampReferenceValueSchema, { notBeforeRelative: create(DurationSchema, { seconds: s }) })));
    const age = RELEASE_TIME / 1_000_000_000n - INTEGRATED;
    expect(relative(-age).failures).toEqual([]);
    expect(relative(-age + 1n).failures).toEqual(["INITRD"]);
  });
});
