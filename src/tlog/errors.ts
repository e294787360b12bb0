import { ReftrailError } from "../util/errors.js";

export type TlogErrorCode =
  | "ENTRY_KIND"
  | "ENTRY_INVALID"
  | "ENTRY_SIGNATURE"
  | "ENTRY_KEY"
  | "CHECKPOINT_FORMAT"
  | "CHECKPOINT_SIGNATURE"
  | "CHECKPOINT_ORIGIN"
  | "SET_FORMAT"
  | "SET_SIGNATURE"
  | "INCLUSION_PROOF"
  | "CONSISTENCY_PROOF"
  | "LOG_STATE"
  | "LOG_NAME"
  | "LOG_LISTEN"
  | "LOG_KEY"
  | "REKOR_RESPONSE"
  | "REKOR_UNAVAILABLE";

/** A transparency-log failure: a malformed or unverifiable entry, proof, checkpoint or response. */
export class TlogError extends ReftrailError<TlogErrorCode> {}
