import { ReftrailError } from "../util/errors.js";

export type EndorseErrorCode =
  | "KEY_FILE"
  | "KEY_EXISTS"
  | "KEY_TYPE"
  | "KEY_PERMISSIONS"
  | "KEY_MISSING"
  | "KEY_NOT_REGISTERED"
  | "REGISTRY"
  | "ENDORSEMENT_EXISTS"
  | "ENDORSEMENT_INVALID"
  | "VALIDITY"
  | "PUBLISH_FAILED";

/** A failure to generate keys, sign, or publish an endorsement. Messages never contain key material. */
export class EndorseError extends ReftrailError<EndorseErrorCode> {}
