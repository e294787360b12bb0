import { sign, type KeyObject } from "node:crypto";
import { runSync } from "../util/async-crypto.js";
import { setPayloadBytes, setSignature, type SetPayload } from "./set-payload.js";

/** Signed Entry Timestamps on node:crypto: signing (the embedded log), and the synchronous driver of set-payload.ts's check. */
export { setPayloadBytes, type SetPayload } from "./set-payload.js";

export function signSet(p: SetPayload, logKey: KeyObject): Uint8Array {
  return sign("sha256", setPayloadBytes(p), logKey);
}

export function verifySet(p: SetPayload, signature: Uint8Array, logPublicKey: KeyObject): boolean {
  return runSync(setSignature(p, signature, logPublicKey));
}
