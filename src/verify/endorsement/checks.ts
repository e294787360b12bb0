import { ReftrailError } from "../../util/errors.js";

/**
 * Every check `reftrail verify endorsement` runs, in order. A failure is reported by the name of
 * the check that failed; that name is the machine-readable code.
 */
export const ENDORSEMENT_CHECKS = {
  STATEMENT_SIGNATURE: "statement signature by the component key",
  STATEMENT_TYPE: "in-toto Statement v1 with Oak's endorsement predicate",
  COMPONENT: "endorsed component",
  VALIDITY: "endorsement valid at the verification time",
  CLAIMS: "required claims",
  SUBJECT_DIGEST: "subject digest",
  LOG_ID: "logID is the trusted log key's",
  SET: "signed entry timestamp",
  ENTRY_ID: "entry id names the logged body",
  BODY_KIND: "log body kind",
  BODY_HASH: "log body hash is SHA-256 of the statement",
  BODY_KEY: "log body key is the component key",
  BODY_SIGNATURE: "log body signature is the endorsement signature",
  CHECKPOINT_SIGNATURE: "checkpoint signed by the log",
  CHECKPOINT_ORIGIN: "checkpoint origin names the log and tree",
  INCLUSION_PROOF: "inclusion proof reaches the checkpoint root",
  LOG_TIME: "integration time within the endorsement's validity",
  KEY_VALIDITY: "integration time within the key's validity",
} as const;

export type EndorsementCheck = keyof typeof ENDORSEMENT_CHECKS;

/** A check that did not hold. */
export class CheckFailure extends ReftrailError {
  declare readonly code: EndorsementCheck;

  constructor(check: EndorsementCheck, message: string) {
    super(check, message);
  }
}

/** A check that does not apply to this endorsement (say why). */
export class CheckSkipped {
  constructor(readonly reason: string) {}
}
