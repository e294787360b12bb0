import { cborBytes, cborMap, cborText, decodeCbor, member } from "./cbor.js";
import { OakInputError } from "./errors.js";

/** CWT claim keys of Oak's DICE certificates (oak_dice/src/cert.rs). */
const ISSUER = 1;
const SUBJECT = 2;
const SUBJECT_PUBLIC_KEY = -4670552;
const EVENT_ID = -4670573;
const SHA2_256_ID = -4670572;

export interface DiceClaims {
  readonly issuer: string;
  readonly subject: string;
  /** The serialized COSE_Key of the next layer (or application key). */
  readonly subjectPublicKey: Uint8Array;
  /** SHA-256 of the event this layer measured, when the certificate names one. */
  readonly eventDigest?: Uint8Array;
}

/** Reads the CWT claims of a DICE certificate's payload: issuer, subject, subject key, event digest. */
export function parseDiceClaims(payload: Uint8Array, what: string): DiceClaims {
  const claims = cborMap(decodeCbor(payload, `${what} claims`), `${what} claims`);
  const issuer = cborText(member(claims, ISSUER, `${what} claims`), `${what} claim iss`);
  const subject = cborText(member(claims, SUBJECT, `${what} claims`), `${what} claim sub`);
  const subjectPublicKey = cborBytes(member(claims, SUBJECT_PUBLIC_KEY, `${what} claims`), `${what} claim SUBJECT_PUBLIC_KEY`);
  if (!claims.has(EVENT_ID)) return { issuer, subject, subjectPublicKey };
  const event = cborMap(claims.get(EVENT_ID), `${what} claim EVENT_ID`);
  const eventDigest = cborBytes(member(event, SHA2_256_ID, `${what} claim EVENT_ID`), `${what} claim EVENT_ID SHA2_256`);
  if (eventDigest.byteLength !== 32) throw new OakInputError("OAK_CBOR", `${what} claim EVENT_ID: SHA2_256 digest is ${eventDigest.byteLength} bytes, expected 32`);
  return { issuer, subject, subjectPublicKey, eventDigest };
}
