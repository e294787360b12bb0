import { createPublicKey, verify, type KeyObject } from "node:crypto";
import { BoundedCache } from "../../util/bounded-cache.js";
import { bytesEqual } from "../../util/bytes.js";
import { cborBytes, cborInt, cborMap, decodeCbor, encodeCbor, member } from "./cbor.js";
import { OakInputError } from "./errors.js";

/** COSE (RFC 9052/9053) labels and values Oak's DICE certificates use. */
const HEADER_ALG = 1;
const HEADER_KID = 4;
const ALG_ES256 = -7;
const KEY_KTY = 1;
const KEY_ALG = 3;
const KEY_OPS = 4;
const KEY_CRV = -1;
const KEY_X = -2;
const KEY_Y = -3;
const KTY_OKP = 1;
const KTY_EC2 = 2;
const CRV_P256 = 1;
const CRV_X25519 = 4;
const ALG_ECDH_ES_A256KW = -31;
const OP_VERIFY = 2;
const OP_WRAP_KEY = 5;

export interface CoseSign1 {
  /** The protected header exactly as received: the signature covers these bytes. */
  readonly protectedBytes: Uint8Array;
  readonly payload: Uint8Array;
  /** Raw r ‖ s, 64 bytes. */
  readonly signature: Uint8Array;
}

const fail = (what: string, message: string) => new OakInputError("OAK_COSE", `${what}: ${message}`);

/**
 * Parses an untagged COSE_Sign1 `[protected bstr, unprotected map, payload bstr, signature bstr]`
 * whose protected header says ES256, the only algorithm Oak's DICE certificates use.
 */
export function parseCoseSign1(bytes: Uint8Array, what: string): CoseSign1 {
  const item = decodeCbor(bytes, what);
  if (!Array.isArray(item) || item.length !== 4) throw fail(what, "not a COSE_Sign1 (a 4-element CBOR array)");
  const [prot, unprot, payload, signature] = item as [unknown, unknown, unknown, unknown];
  const protectedBytes = cborBytes(prot, `${what} protected header`);
  const header = cborMap(decodeCbor(protectedBytes, `${what} protected header`), `${what} protected header`);
  const alg = cborInt(member(header, HEADER_ALG, `${what} protected header`), `${what} protected header alg`);
  if (alg !== ALG_ES256) throw fail(what, `signature algorithm ${alg}, expected ES256 (-7)`);
  // Unprotected parameters are not signed: accept only a key id (Oak's certificates carry one) so
  // that nothing unauthenticated can say how to read the certificate.
  const unprotectedHeader = cborMap(unprot, `${what} unprotected header`);
  for (const [label, value] of unprotectedHeader) {
    if (label !== HEADER_KID) throw fail(what, `unprotected header parameter ${String(label)} (only a key id, 4, is accepted unsigned)`);
    if (typeof value !== "string" && !(value instanceof Uint8Array)) throw fail(what, "the unprotected key id is neither a byte nor a text string");
  }
  const sig = cborBytes(signature, `${what} signature`);
  if (sig.byteLength !== 64) throw fail(what, `signature is ${sig.byteLength} bytes, expected 64 (P-256 r ‖ s)`);
  return { protectedBytes, payload: cborBytes(payload, `${what} payload`), signature: sig };
}

/**
 * P-256 public keys by their point: a verifier sees the same DICE keys for every report from one
 * VM, and importing a key costs about as much as a signature verification.
 */
const P256_KEYS = new BoundedCache<string, KeyObject>(256);
function p256Key(x: Uint8Array, y: Uint8Array): KeyObject {
  const spki = Buffer.concat([P256_SPKI_PREFIX, Buffer.of(4), x, y]);
  return P256_KEYS.getOrCompute(spki.toString("hex"), () => createPublicKey({ key: spki, format: "der", type: "spki" }));
}

/** Sig_structure for COSE_Sign1: ["Signature1", protected, external_aad, payload]. */
export function sigStructure(sign1: CoseSign1, externalAad: Uint8Array): Uint8Array {
  return encodeCbor(["Signature1", sign1.protectedBytes, externalAad, sign1.payload]);
}

/**
 * Verifies with each external_aad allowed (Oak: its domain-separation string, or empty for
 * certificates made before it existed); returns the one that verified, or undefined. Which is tried
 * first changes nothing but the time (a signature verifies under at most one Sig_structure), so
 * the one that verified last comes first: one chain's certificates are made by one stage0.
 */
export function verifyCoseSign1(sign1: CoseSign1, key: KeyObject, externalAads: readonly Uint8Array[]): Uint8Array | undefined {
  const ordered = [...externalAads].sort((a, b) => Number(bytesEqual(b, lastVerified)) - Number(bytesEqual(a, lastVerified)));
  const aad = ordered.find((candidate) => verify("sha256", sigStructure(sign1, candidate), { key, dsaEncoding: "ieee-p1363" }, sign1.signature));
  if (aad !== undefined) lastVerified = aad;
  return aad;
}

/** The external_aad the last certificate verified with (a hint for the order only). */
let lastVerified: Uint8Array = new Uint8Array();

export type CoseKey = { readonly kind: "ec2-p256-verify"; readonly key: KeyObject } | { readonly kind: "okp-x25519-wrap"; readonly publicKey: Uint8Array };

function keyOps(map: Map<unknown, unknown>, what: string): number[] {
  const ops = member(map, KEY_OPS, what);
  if (!Array.isArray(ops)) throw fail(what, "key_ops is not an array");
  return ops.map((op, i) => cborInt(op, `${what} key_ops[${i}]`));
}

/** SubjectPublicKeyInfo DER of an uncompressed P-256 point, up to the point: importing DER is several times faster than JWK. */
const P256_SPKI_PREFIX = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");

/**
 * A COSE_Key as Oak's DICE uses them: an EC2 P-256 ES256 verification key (layer keys, the
 * signing key) or an OKP X25519 ECDH-ES+A256KW key-wrapping key (the encryption key).
 */
export function parseCoseKey(bytes: Uint8Array, what: string): CoseKey {
  const map = cborMap(decodeCbor(bytes, what), what);
  const kty = cborInt(member(map, KEY_KTY, what), `${what} kty`);
  const alg = cborInt(member(map, KEY_ALG, what), `${what} alg`);
  const crv = cborInt(member(map, KEY_CRV, what), `${what} crv`);
  const ops = keyOps(map, what);
  const x = cborBytes(member(map, KEY_X, what), `${what} x`);
  if (kty === KTY_EC2) {
    if (alg !== ALG_ES256 || crv !== CRV_P256) throw fail(what, `EC2 key with alg ${alg} and curve ${crv}, expected ES256 on P-256`);
    if (ops.length !== 1 || ops[0] !== OP_VERIFY) throw fail(what, "an EC2 key must be for verify only");
    const y = cborBytes(member(map, KEY_Y, what), `${what} y`);
    if (x.byteLength !== 32 || y.byteLength !== 32) throw fail(what, "P-256 coordinates must be 32 bytes each");
    try {
      // OpenSSL checks that the point is on the curve when it imports the key.
      return { kind: "ec2-p256-verify", key: p256Key(x, y) };
    } catch {
      throw fail(what, "the coordinates are not a point on P-256");
    }
  }
  if (kty === KTY_OKP) {
    if (alg !== ALG_ECDH_ES_A256KW || crv !== CRV_X25519 || ops.length !== 1 || ops[0] !== OP_WRAP_KEY) throw fail(what, "OKP key must be X25519, ECDH-ES+A256KW, wrapKey");
    if (x.byteLength !== 32) throw fail(what, "an X25519 key is 32 bytes");
    return { kind: "okp-x25519-wrap", publicKey: x };
  }
  throw fail(what, `key type ${kty}, expected EC2 (2) or OKP (1)`);
}

export function verifyingKey(bytes: Uint8Array, what: string): KeyObject {
  const key = parseCoseKey(bytes, what);
  if (key.kind !== "ec2-p256-verify") throw fail(what, "expected an EC2 P-256 verification key");
  return key.key;
}
