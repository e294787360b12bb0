/**
 * Hex, base64 and UTF-8 for the code that also runs in a browser (the verification algorithms over
 * util/crypto-program.ts). In Node they go through Buffer, several times faster on the CLI's hot
 * path; elsewhere through the portable implementations below, which give the same results
 * (test/audit/browser/encoding.test.ts compares them). Strict decoders return undefined on anything
 * but the canonical encoding, as the log code's checks require.
 */

const HEX_DIGITS = "0123456789abcdef";

function portableHexOf(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  return out;
}

/** Even length, hex digits only (either case). */
function portableBytesOfHex(text: string): Uint8Array | undefined {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) return undefined;
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_VALUE = new Map([...B64].map((c, i) => [c, i]));

/** Standard base64 with padding (RFC 4648 §4). */
function portableBase64Of(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + (i + 1 < bytes.length ? B64[(n >> 6) & 63]! : "=") + (i + 2 < bytes.length ? B64[n & 63]! : "=");
  }
  return out;
}

/**
 * Canonical standard base64 only: padded, no whitespace, zero unused bits (the text is exactly
 * base64Of of the result). Rekor signs and hashes the text, so a second spelling of the same bytes
 * must not pass for it.
 */
function portableBytesOfBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text[i + j]!;
      const last = i + 4 === text.length;
      const v = c === "=" && last && j >= 4 - pad ? 0 : B64_VALUE.get(c);
      if (v === undefined) return undefined;
      n = (n << 6) | v;
    }
    for (let k = 0; k < 3 && o < out.length; k++) out[o++] = (n >> (16 - 8 * k)) & 255;
  }
  return portableBase64Of(out) === text ? out : undefined;
}

/**
 * Base64 as Node's Buffer reads it: padding optional, unused trailing bits and a dangling last
 * symbol ignored, symbols outside the alphabet skipped. Only for bytes whose check follows (a
 * signature), where a second spelling cannot make anything pass.
 */
function portableBytesOfBase64Loosely(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let count = 0;
  for (const c of text) {
    if (c === "=") break;
    const v = B64_VALUE.get(c);
    if (v === undefined) continue;
    bits = ((bits << 6) | v) & 0xffffff;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push((bits >> count) & 255);
    }
  }
  return Uint8Array.from(out);
}

/** The implementations without Buffer, what a browser runs (exported for the test that compares them). */
export const portableEncoding = {
  hexOf: portableHexOf,
  bytesOfHex: portableBytesOfHex,
  base64Of: portableBase64Of,
  bytesOfBase64: portableBytesOfBase64,
  bytesOfBase64Loosely: portableBytesOfBase64Loosely,
};

/** Node's Buffer where there is one (looked up, not imported: the browser bundle has none). */
const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
const view = (bytes: Uint8Array): Buffer => NodeBuffer!.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export const hexOf: (bytes: Uint8Array) => string = NodeBuffer ? (bytes) => view(bytes).toString("hex") : portableHexOf;

/** Even length, hex digits only (either case). */
export const bytesOfHex: (text: string) => Uint8Array | undefined = NodeBuffer
  ? (text) => (text.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(text) ? NodeBuffer.from(text, "hex") : undefined)
  : portableBytesOfHex;

/** Standard base64 with padding (RFC 4648 §4). */
export const base64Of: (bytes: Uint8Array) => string = NodeBuffer ? (bytes) => view(bytes).toString("base64") : portableBase64Of;

/** Canonical standard base64 only (see portableBytesOfBase64). */
export const bytesOfBase64: (text: string) => Uint8Array | undefined = NodeBuffer
  ? (text) => {
      const bytes = NodeBuffer.from(text, "base64");
      return bytes.toString("base64") === text ? bytes : undefined;
    }
  : portableBytesOfBase64;

/** Base64 read leniently, as Buffer reads it (see portableBytesOfBase64Loosely). */
export const bytesOfBase64Loosely: (text: string) => Uint8Array = NodeBuffer ? (text) => NodeBuffer.from(text, "base64") : portableBytesOfBase64Loosely;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export const utf8Bytes = (text: string): Uint8Array => encoder.encode(text);

/** UTF-8 text of bytes, or undefined if they are not UTF-8. */
export function textOfUtf8(bytes: Uint8Array): string | undefined {
  try {
    return decoder.decode(bytes);
  } catch {
    return undefined;
  }
}
