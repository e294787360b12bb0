import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { toHex } from "../util/bytes.js";
import { KeyError } from "./errors.js";

/**
 * Component signing keys: ECDSA P-256 (Oak's KEY_TYPE_ECDSA_P256_SHA256), one per component, so a
 * leaked or rotated key concerns one component only. A key's id is the SHA-256 of its SPKI DER,
 * which is also what Sigstore bundles carry (base64) as the public-key hint.
 */
export interface ComponentKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function generateComponentKey(): ComponentKeyPair {
  return generateKeyPairSync("ec", { namedCurve: "P-256" });
}

/**
 * SPKI DER with EC points uncompressed, whatever form the key was read in: ids derived from it (a
 * log's logID, a key id) must not depend on how a PEM happened to encode the point.
 */
export function spkiDer(key: KeyObject): Uint8Array {
  if (key.asymmetricKeyType !== "ec") return key.export({ format: "der", type: "spki" });
  return createPublicKey({ key: key.export({ format: "jwk" }), format: "jwk" }).export({ format: "der", type: "spki" });
}

export function keyIdOf(publicKey: KeyObject): string {
  return toHex(createHash("sha256").update(spkiDer(publicKey)).digest());
}

/** Base64 SHA-256 of the SPKI DER: the hint sigstore-conformance managed-key bundles use. */
export function keyHintOf(publicKey: KeyObject): string {
  return Buffer.from(keyIdOf(publicKey), "hex").toString("base64");
}

export function publicKeyPem(publicKey: KeyObject): string {
  return publicKey.export({ type: "spki", format: "pem" }) as string;
}

export function privateKeyPem(privateKey: KeyObject): string {
  return privateKey.export({ type: "pkcs8", format: "pem" }) as string;
}

function requireP256(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    const kind = key.asymmetricKeyType === "ec" ? `an EC ${key.asymmetricKeyDetails?.namedCurve ?? "unknown-curve"} key` : `a ${key.asymmetricKeyType ?? "symmetric"} key`;
    throw new KeyError("KEY_TYPE", `${what} is ${kind}; endorsement keys are ECDSA P-256`);
  }
}

/** Exactly one PEM block and nothing else: node:crypto would silently ignore trailing content. */
function singlePem(text: string, labels: readonly string[], what: string): string {
  const m = /^\s*(-----BEGIN ([A-Z0-9 ]+)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \2-----)\s*$/.exec(text);
  if (!m || !labels.includes(m[2]!)) throw new KeyError("KEY_FILE", `${what} is not a single PEM block (${labels.join(" or ")})`);
  return m[1]!;
}

/** A component's public key from PEM (SPKI, "PUBLIC KEY"). */
export function parsePublicKey(pem: string, what = "public key"): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(singlePem(pem, ["PUBLIC KEY"], what));
  } catch (err) {
    if (err instanceof KeyError) throw err;
    throw new KeyError("KEY_FILE", `${what} is not a valid PEM public key`);
  }
  requireP256(key, what);
  return key;
}

/** A component's private key from PEM (PKCS#8 or SEC1). The message never quotes the input. */
export function parsePrivateKey(pem: string, what = "private key"): ComponentKeyPair {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(singlePem(pem, ["PRIVATE KEY", "EC PRIVATE KEY"], what));
  } catch (err) {
    if (err instanceof KeyError) throw err;
    throw new KeyError("KEY_FILE", `${what} is not a valid unencrypted PEM private key`);
  }
  requireP256(privateKey, what);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Same key, whatever the encoding (compressed or not): OpenSSL compares the points, as Oak does. */
export function sameKey(a: KeyObject, b: KeyObject): boolean {
  // KeyObject.equals on keys of different types leaves an OpenSSL error queued, which Node then
  // reports from the next unrelated key operation (Node 24): compare types and curves first.
  if (a.type !== b.type || a.asymmetricKeyType !== b.asymmetricKeyType) return false;
  if (a.asymmetricKeyDetails?.namedCurve !== b.asymmetricKeyDetails?.namedCurve) return false;
  return a.equals(b);
}
