import { readFileSync } from "node:fs";
import { join } from "node:path";
import { create, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { ReferenceValuesSchema, type ReferenceValues } from "../../../src/schema/oak/gen/proto/attestation/reference_value_pb.js";
import { parseRfc3339 } from "../../../src/util/rfc3339.js";
import { decodeOakInputs, type OakInputs } from "../../../src/verify/oak/verifier.js";
import { COMMITTED } from "../../helpers/fixtures.js";

export const TESTDATA = join(COMMITTED, "oak/oak_attestation_verification/testdata");
export const DERIVED = join(COMMITTED, "oak/derived");

export const at = (rfc3339: string): bigint => parseRfc3339(rfc3339)!;
/** Oak's `make_valid_time()` for most sets: 1757635200000 ms. */
export const OAK_TEST_TIME = at("2025-09-12T00:00:00Z");
/** The fake set's midpoint time, 1758075793500 ms. */
export const FAKE_TEST_TIME = at("2025-09-17T02:23:13.5Z");
/** Inside every milan_oc_release endorsement's validity (spec §12.3). */
export const RELEASE_TIME = at("2025-08-01T00:00:00Z");

export const testdataPath = (name: string) => join(TESTDATA, name);
export const read = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** One of Oak's sets with the reference values given (bytes). */
export function loadSet(set: string, referenceValues: Uint8Array): OakInputs {
  return decodeOakInputs(read(testdataPath(`${set}_evidence.binarypb`)), read(testdataPath(`${set}_endorsements.binarypb`)), referenceValues);
}

export const ownReferenceValues = (name: string) => read(testdataPath(`${name}_reference_values.binarypb`));
export const derivedReferenceValues = (name: string) => read(join(DERIVED, `${name}_endorsement_reference_values.binarypb`));

/** milan_oc_release's kernel command line as Oak's own textproto of the evidence spells it. */
export function releaseCmdline(): string {
  const text = readFileSync(testdataPath("milan_oc_release_evidence.textproto"), "latin1");
  return /console=[^"\\]*/.exec(text)![0];
}

const skip = { type: { case: "skip" as const, value: {} } };

/**
 * Oak's `create_oc_reference_values()` / `create_rk_reference_values()` as the spec describes them
 * (§12.1): everything skip except the TCB minimum bl 3 snp 20 ucode 209 for every model,
 * check_vcek_cert_expiry, require_alias_check_complete, and the command line as a string literal
 * (Containers) or skip.
 */
export function skipReferenceValues(kind: "oakContainers" | "oakRestrictedKernel", cmdline?: string): ReferenceValues {
  const minimum = { type: { case: "minimum" as const, value: { bootLoader: 3, snp: 20, microcode: 209 } } };
  const rootLayer = { amdSev: { stage0: skip, milan: minimum, genoa: minimum, turin: minimum, checkVcekCertExpiry: true, requireAliasCheckComplete: true } };
  const kernelLayer = {
    kernel: skip,
    kernelCmdLineText: cmdline === undefined ? skip : { type: { case: "stringLiterals" as const, value: { value: [cmdline] } } },
    initRamFs: skip,
    memoryMap: skip,
    acpi: skip,
  };
  const init: MessageInitShape<typeof ReferenceValuesSchema> =
    kind === "oakContainers"
      ? { type: { case: "oakContainers", value: { rootLayer, kernelLayer, systemLayer: { systemImage: skip }, containerLayer: { binary: skip, configuration: skip } } } }
      : { type: { case: "oakRestrictedKernel", value: { rootLayer, kernelLayer, applicationLayer: { binary: skip, configuration: skip } } } };
  return create(ReferenceValuesSchema, init);
}

export const encodeReferenceValues = (rv: ReferenceValues): Uint8Array => toBinary(ReferenceValuesSchema, rv);


/** A copy of decoded inputs that a test may change freely (protobuf-es messages are plain objects). */
export const copyInputs = (inputs: OakInputs): OakInputs => structuredClone(inputs);
