import { constants, publicDecrypt, type KeyObject } from "node:crypto";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { bytesEqual } from "../util/bytes.js";
import { loadNativeModule } from "../util/native.js";
import { spkiDer } from "../keys/component-keys.js";

/**
 * Verifies a signature made over a digest the verifier does not have the message of (a hashedrekord
 * entry carries only the artifact digest). node:crypto always hashes the message itself, so ECDSA
 * goes through a small native module on Node's own OpenSSL when it was built (build/native), else
 * through @noble/curves; RSA PKCS#1 v1.5 is checked by recovering the DigestInfo.
 */
/** An OpenSSL key parsed once by the native module (freed when collected). */
type NativeKey = object;
interface NativeModule {
  prepare(spki: Uint8Array): NativeKey | null;
  verify(key: NativeKey, digest: Uint8Array, signature: Uint8Array): boolean;
  /** As verify, item by item (1 valid, 0 not), on libuv's thread pool. */
  verifyBatch(keys: NativeKey[], digests: Uint8Array[], signatures: Uint8Array[]): Promise<Uint8Array>;
}

const native = loadNativeModule<NativeModule>("prehashed-verify");

/** Whether digests are verified through Node's OpenSSL (fast) or @noble/curves (portable). */
export const PREHASHED_BACKEND: "openssl" | "noble" = native ? "openssl" : "noble";

const CURVES = { prime256v1: p256, secp384r1: p384, secp521r1: p521 } as const;

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1) by digest length. */
const DIGEST_INFO: Readonly<Record<number, string>> = {
  32: "3031300d060960864801650304020105000420",
  48: "3041300d060960864801650304020205000430",
  64: "3051300d060960864801650304020305000440",
};

export type PrehashedResult = "valid" | "invalid" | "unsupported-key" | "digest-too-long";

/** Bytes of each curve's order: ECDSA uses only that many leading bytes of a longer digest. */
const ORDER_BYTES = { prime256v1: 32, secp384r1: 48, secp521r1: 66 } as const;

/**
 * A public key prepared for repeated digest verification: exporting and inspecting a KeyObject
 * costs more than the verification itself, and a log sees the same few release keys again and again.
 */
export interface VerificationKey {
  readonly key: KeyObject;
  readonly spki: Uint8Array;
  readonly curve: keyof typeof CURVES | undefined;
  /** Uncompressed EC point, for the @noble/curves fallback. */
  readonly point: Uint8Array | undefined;
  /** The key as the native module holds it. */
  readonly nativeKey: NativeKey | undefined;
}

function uncompressedPoint(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  return Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
}

export function verificationKey(key: KeyObject): VerificationKey {
  const named = key.asymmetricKeyType === "ec" ? (key.asymmetricKeyDetails?.namedCurve as string | undefined) : undefined;
  const curve = named !== undefined && named in CURVES ? (named as keyof typeof CURVES) : undefined;
  const point = curve && !native ? uncompressedPoint(key) : undefined;
  const spki = spkiDer(key);
  return { key, spki, curve, point, nativeKey: curve && native ? (native.prepare(spki) ?? undefined) : undefined };
}

/** `backend` forces one implementation (tests compare them); by default the fastest available. */
export function verifyPrehashed(
  key: KeyObject | VerificationKey,
  digest: Uint8Array,
  signature: Uint8Array,
  backend: "openssl" | "noble" = PREHASHED_BACKEND,
): PrehashedResult {
  const prepared = "spki" in key ? key : verificationKey(key);
  if (prepared.key.asymmetricKeyType === "ec") {
    if (prepared.curve === undefined) return "unsupported-key";
    // A longer digest would be truncated: two digests sharing a prefix would carry one signature.
    if (digest.byteLength > ORDER_BYTES[prepared.curve]) return "digest-too-long";
    if (backend === "openssl" && native && prepared.nativeKey) return native.verify(prepared.nativeKey, digest, signature) ? "valid" : "invalid";
    try {
      const point = prepared.point ?? uncompressedPoint(prepared.key);
      return CURVES[prepared.curve].verify(signature, digest, point, { prehash: false, format: "der", lowS: false }) ? "valid" : "invalid";
    } catch {
      return "invalid";
    }
  }
  if (prepared.key.asymmetricKeyType === "rsa") {
    const prefix = DIGEST_INFO[digest.byteLength];
    if (prefix === undefined) return "invalid";
    try {
      const recovered = publicDecrypt({ key: prepared.key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return bytesEqual(recovered, Buffer.concat([Buffer.from(prefix, "hex"), digest])) ? "valid" : "invalid";
    } catch {
      return "invalid";
    }
  }
  return "unsupported-key";
}

export interface PrehashedRequest {
  readonly key: VerificationKey;
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * verifyPrehashed of each request, with the same result for each; the native ECDSA ones verified on
 * libuv's thread pool, so the calling thread has its other work to do meanwhile (an audit of a large
 * log spends a third of its time in these verifications, and the machine has a second core).
 */
export async function verifyPrehashedBatch(requests: readonly PrehashedRequest[]): Promise<PrehashedResult[]> {
  const results: PrehashedResult[] = new Array<PrehashedResult>(requests.length);
  const pooled: number[] = [];
  requests.forEach((r, i) => {
    const { curve, nativeKey } = r.key;
    // Exactly the requests verifyPrehashed hands to native.verify; every other answer is its own.
    if (native && nativeKey && curve && r.key.key.asymmetricKeyType === "ec" && r.digest.byteLength <= ORDER_BYTES[curve]) pooled.push(i);
    else results[i] = verifyPrehashed(r.key, r.digest, r.signature);
  });
  if (native && pooled.length > 0) {
    const valid = await native.verifyBatch(
      pooled.map((i) => requests[i]!.key.nativeKey!),
      pooled.map((i) => requests[i]!.digest),
      pooled.map((i) => requests[i]!.signature),
    );
    pooled.forEach((i, j) => (results[i] = valid[j] === 1 ? "valid" : "invalid"));
  }
  return results;
}
