import { ReftrailError } from "../../util/errors.js";

/**
 * Malformed Oak input (protobuf, CBOR, COSE, a report of the wrong size): an input error, never a
 * verdict. The message names the message or field; the CLI adds the file.
 */
export type OakInputCode = "OAK_PROTOBUF" | "OAK_CBOR" | "OAK_COSE";

export class OakInputError extends ReftrailError<OakInputCode> {}
