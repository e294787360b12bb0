import { hexOf } from "./encoding.js";

/**
 * Strict DER for ECDSA signatures: SEQUENCE { INTEGER r, INTEGER s }, minimal lengths, minimal
 * positive integers, nothing after. Endorsement signatures must be DER (Oak rejects raw r‖s); a
 * length test is not enough because valid DER can be as short as 8 bytes.
 */

function readLength(bytes: Uint8Array, at: number): { length: number; next: number } | undefined {
  const first = bytes[at];
  if (first === undefined) return undefined;
  if (first < 0x80) return { length: first, next: at + 1 };
  // Long form only for lengths ≥ 128, with one length byte: an ECDSA signature is never longer.
  if (first !== 0x81) return undefined;
  const length = bytes[at + 1];
  if (length === undefined || length < 0x80) return undefined;
  return { length, next: at + 2 };
}

function readInteger(bytes: Uint8Array, at: number): { value: bigint; next: number } | undefined {
  if (bytes[at] !== 0x02) return undefined;
  const len = readLength(bytes, at + 1);
  if (!len || len.length === 0 || len.next + len.length > bytes.byteLength) return undefined;
  const content = bytes.subarray(len.next, len.next + len.length);
  if (content[0]! & 0x80) return undefined; // negative
  if (content.byteLength > 1 && content[0] === 0 && !(content[1]! & 0x80)) return undefined; // not minimal
  // hexOf, not Buffer: this module also runs in the browser bundle.
  const value = BigInt(`0x${hexOf(content)}`);
  return { value, next: len.next + len.length };
}

/** r and s of a DER ECDSA signature, or undefined if the bytes are not exactly that. */
export function parseEcdsaDer(bytes: Uint8Array): { r: bigint; s: bigint } | undefined {
  if (bytes[0] !== 0x30) return undefined;
  const seq = readLength(bytes, 1);
  if (!seq || seq.next + seq.length !== bytes.byteLength) return undefined;
  const r = readInteger(bytes, seq.next);
  if (!r) return undefined;
  const s = readInteger(bytes, r.next);
  if (!s || s.next !== bytes.byteLength) return undefined;
  if (r.value === 0n || s.value === 0n) return undefined;
  return { r: r.value, s: s.value };
}
