import { bytesOfBase64 } from "../../util/encoding.js";

/**
 * Public keys as the viewer gets them: PEM text (a registry's or the log's .pem) or SPKI DER bytes.
 * The PEM rule is tlog/keys.ts's publicKeyFromPem, without node:crypto: exactly one block labelled
 * PUBLIC KEY, nothing but whitespace around it.
 */
export function spkiOfPem(pem: string): Uint8Array | undefined {
  const body = /^\s*-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END PUBLIC KEY-----\s*$/.exec(pem)?.[1];
  return body === undefined ? undefined : bytesOfBase64(body.replace(/\r?\n/g, ""));
}

/** SPKI DER of a key given as PEM text or as DER bytes (returned as they are). */
export const spkiOf = (key: string | Uint8Array): Uint8Array | undefined => (typeof key === "string" ? spkiOfPem(key) : key);
