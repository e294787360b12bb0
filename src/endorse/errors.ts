import { ReftrailError } from "../util/errors.js";

export type EndorseErrorCode =
  | "ENDORSEMENT_EXISTS"
  | "ENDORSEMENT_INVALID"
  | "VALIDITY"
  | "PUBLISH_FAILED";

/** A failure to sign or publish an endorsement (keys fail with KeyError, src/keys). Messages never contain key material. */
export class EndorseError extends ReftrailError<EndorseErrorCode> {}
