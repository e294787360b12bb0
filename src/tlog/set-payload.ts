import { canonicalJson } from "../util/canonical-json.js";
import { verifySignature, type CryptoProgram } from "../util/crypto-program.js";
import { bytesOfBase64, utf8Bytes } from "../util/encoding.js";
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
export function setPayloadBytes(p: SetPayload): Uint8Array {
  if (!/^[0-9a-f]{64}$/.test(p.logID)) throw new TlogError("SET_FORMAT", "logID is not 64 lower-case hex digits");
  if (bytesOfBase64(p.body) === undefined) throw new TlogError("SET_FORMAT", "entry body is not canonical standard base64");
  return utf8Bytes(canonicalJson({ body: p.body, integratedTime: p.integratedTime, logID: p.logID, logIndex: p.logIndex }));
}

/** Does the SET `signature` verify over the payload with the log's `key`? Throws SET_FORMAT on a malformed payload. */
export function* setSignature<K>(p: SetPayload, signature: Uint8Array, key: K): CryptoProgram<boolean, K> {
  let payload: Uint8Array;
  try {
    payload = setPayloadBytes(p);
  } catch (err) {
    // A field RFC 8785 cannot encode (an unsafe integer) was never signed: not verified, as before.
    if (err instanceof TlogError) throw err;
    return false;
  }
  return yield* verifySignature(key, payload, signature);
}
