import type { KeyObject } from "node:crypto";
import { runSync } from "../util/async-crypto.js";
import { statementSignature } from "./statement-signature.js";

/**
 * The statement signature on node:crypto (see statement-signature.ts): endorsing makes it,
 * publishing and verifying check it.
 */

/** True iff `signature` is strict DER and verifies over `statement` with `publicKey`. */
export function verifyStatementSignature(statement: Uint8Array, signature: Uint8Array, publicKey: KeyObject): boolean {
  return runSync(statementSignature(statement, signature, publicKey));
}
