import { sign, verify, type KeyObject } from "node:crypto";
import { canonicalJson } from "../util/canonical-json.js";
import { TlogError } from "./errors.js";

/** The fields a Rekor v1 Signed Entry Timestamp covers. */
export interface SetPayload {
  /** Standard base64 of the canonical entry body. */
  readonly body: string;
  readonly integratedTime: number;
  /** Lower-case hex SHA-256 of the log's SPKI DER. */
  readonly logID: string;
  /** The global log index. */
  readonly logIndex: number;
}

/** The exact bytes signed: RFC 8785 JSON of the four fields. */
export function setPayloadBytes(p: SetPayload): Buffer {
  if (!/^[0-9a-f]{64}$/.test(p.logID)) throw new TlogError("SET_FORMAT", "logID is not 64 lower-case hex digits");
  if (Buffer.from(p.body, "base64").toString("base64") !== p.body) throw new TlogError("SET_FORMAT", "entry body is not canonical standard base64");
  return Buffer.from(canonicalJson({ body: p.body, integratedTime: p.integratedTime, logID: p.logID, logIndex: p.logIndex }));
}

export function signSet(p: SetPayload, logKey: KeyObject): Uint8Array {
  return sign("sha256", setPayloadBytes(p), logKey);
}

export function verifySet(p: SetPayload, signature: Uint8Array, logPublicKey: KeyObject): boolean {
  try {
    return verify("sha256", setPayloadBytes(p), logPublicKey, signature);
  } catch (err) {
    if (err instanceof TlogError) throw err;
    return false;
  }
}
