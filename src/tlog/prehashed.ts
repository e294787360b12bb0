import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { constants, publicDecrypt, type KeyObject } from "node:crypto";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { bytesEqual } from "../util/bytes.js";
import { spkiDer } from "./keys.js";

/**
 * Verifies a signature made over a digest the verifier does not have the message of (a hashedrekord
 * entry carries only the artifact digest). node:crypto always hashes the message itself, so ECDSA
 * goes through a small native module on Node's own OpenSSL when it was built (build/native), else
 * through @noble/curves; RSA PKCS#1 v1.5 is checked by recovering the DigestInfo.
 */
type NativeVerify = (spki: Uint8Array, digest: Uint8Array, signature: Uint8Array) => boolean;

function loadNative(): NativeVerify | undefined {
  try {
    const require = createRequire(import.meta.url);
    const module = require(fileURLToPath(new URL("../../build/native/prehashed-verify.node", import.meta.url))) as { verify: NativeVerify };
    return module.verify;
  } catch {
    return undefined;
  }
}

const native = process.env["REFTRAIL_NO_NATIVE"] ? undefined : loadNative();

/** Whether digests are verified through Node's OpenSSL (fast) or @noble/curves (portable). */
export const PREHASHED_BACKEND: "openssl" | "noble" = native ? "openssl" : "noble";

const CURVES = { prime256v1: p256, secp384r1: p384, secp521r1: p521 } as const;

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1) by digest length. */
const DIGEST_INFO: Readonly<Record<number, string>> = {
  32: "3031300d060960864801650304020105000420",
  48: "3041300d060960864801650304020205000430",
  64: "3051300d060960864801650304020305000440",
};

export type PrehashedResult = "valid" | "invalid" | "unsupported-key";

export function verifyPrehashed(key: KeyObject, digest: Uint8Array, signature: Uint8Array): PrehashedResult {
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve as keyof typeof CURVES | undefined;
    if (curve === undefined || !(curve in CURVES)) return "unsupported-key";
    if (native) return native(spkiDer(key), digest, signature) ? "valid" : "invalid";
    try {
      const point = key.export({ format: "jwk" });
      const raw = Buffer.concat([Buffer.of(4), Buffer.from(point.x!, "base64url"), Buffer.from(point.y!, "base64url")]);
      return CURVES[curve].verify(signature, digest, raw, { prehash: false, format: "der", lowS: false }) ? "valid" : "invalid";
    } catch {
      return "invalid";
    }
  }
  if (key.asymmetricKeyType === "rsa") {
    const prefix = DIGEST_INFO[digest.byteLength];
    if (prefix === undefined) return "invalid";
    try {
      const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return bytesEqual(recovered, Buffer.concat([Buffer.from(prefix, "hex"), digest])) ? "valid" : "invalid";
    } catch {
      return "invalid";
    }
  }
  return "unsupported-key";
}
