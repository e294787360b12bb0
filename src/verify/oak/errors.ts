import { DerError } from "../../util/der.js";
import { ReftrailError } from "../../util/errors.js";

/**
 * Malformed Oak input (protobuf, CBOR, COSE, a report of the wrong size): an input error, never a
 * verdict. The message names the message or field; the CLI adds the file.
 */
export type OakInputCode = "OAK_PROTOBUF" | "OAK_CBOR" | "OAK_COSE" | "OAK_DER";

export class OakInputError extends ReftrailError<OakInputCode> {}

/** Which of Oak's three inputs a malformed value sits in, so the CLI can name the file. */
export type OakInput = "Evidence" | "Endorsements" | "ReferenceValues";

/**
 * Runs `fn`; a ReftrailError it throws (malformed report, certificate, CBOR, ...) is attributed to
 * `input` with `field` leading its message.
 */
export function inInput<T>(input: OakInput, field: string | undefined, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    // The certificate parser reports malformed DER with its own (non-reftrail) error type.
    if (err instanceof DerError) throw new OakInputError("OAK_DER", field === undefined ? err.message : `${field}: ${err.message}`, input);
    if (!(err instanceof ReftrailError)) throw err;
    if (field !== undefined && !err.message.startsWith(field)) err.message = `${field}: ${err.message}`;
    throw err.about(input);
  }
}
