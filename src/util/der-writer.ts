/**
 * A small DER writer, the counterpart of der.ts: definite minimal lengths, minimal integers, SET OF
 * sorted. Enough of ASN.1 to write X.509 certificates (names, extensions, times, keys are given as
 * DER already); every value it produces is one der.ts reads back.
 */
import { TAG } from "./der.js";

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v % 256);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One tag-length-value. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  const head = length(content.byteLength);
  const out = new Uint8Array(1 + head.byteLength + content.byteLength);
  out[0] = tag;
  out.set(head, 1);
  out.set(content, 1 + head.byteLength);
  return out;
}

const concat = (parts: readonly Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

export const sequence = (...items: readonly Uint8Array[]) => tlv(TAG.SEQUENCE, concat(items));

/** SET OF: DER orders the elements by their encodings (X.690 §11.6). */
export const set = (...items: readonly Uint8Array[]) => tlv(TAG.SET, concat([...items].sort((a, b) => Buffer.compare(a, b))));

/** [n] EXPLICIT. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

/** A non-negative INTEGER, minimal (a leading zero only where the high bit would make it negative). */
export function integer(value: bigint | number): Uint8Array {
  const v = BigInt(value);
  if (v < 0n) throw new RangeError("only non-negative INTEGERs are written");
  let hex = v.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return tlv(TAG.INTEGER, new Uint8Array(Buffer.from(hex, "hex")));
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map((a) => {
    if (!/^\d+$/.test(a)) throw new RangeError(`'${dotted}' is not a dotted OID`);
    return Number(a);
  });
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError(`'${dotted}' is not a valid OID`);
  const bytes: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const groups = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    bytes.push(...groups);
  }
  return tlv(TAG.OID, Uint8Array.from(bytes));
}

export const nul = () => tlv(TAG.NULL, new Uint8Array(0));
export const boolean = (value: boolean) => tlv(TAG.BOOLEAN, Uint8Array.of(value ? 0xff : 0x00));
export const octetString = (bytes: Uint8Array) => tlv(TAG.OCTET_STRING, bytes);
export const utf8String = (text: string) => tlv(TAG.UTF8_STRING, new TextEncoder().encode(text));

export function ia5String(text: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(text)) throw new RangeError("an IA5String is ASCII only");
  return tlv(TAG.IA5_STRING, new Uint8Array(Buffer.from(text, "latin1")));
}

/** A BIT STRING of whole bytes (no unused bits): signatures and keys. */
export const bitString = (bytes: Uint8Array) => tlv(TAG.BIT_STRING, concat([Uint8Array.of(0), bytes]));

/** A named-bit BIT STRING (KeyUsage), bit n counted from the most significant bit, trailing zero bits removed. */
export function namedBits(bits: readonly number[]): Uint8Array {
  if (bits.length === 0) return tlv(TAG.BIT_STRING, Uint8Array.of(0));
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)] = bytes[Math.floor(b / 8)]! | (0x80 >> b % 8);
  return tlv(TAG.BIT_STRING, concat([Uint8Array.of(7 - (highest % 8)), bytes]));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, UTC. */
export function time(date: Date): Uint8Array {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  if (year < 1950 || year > 9999) throw new RangeError(`year ${year} cannot be written as an X.509 time`);
  return year < 2050 ? tlv(TAG.UTC_TIME, new Uint8Array(Buffer.from(digits.slice(2), "latin1"))) : tlv(TAG.GENERALIZED_TIME, new Uint8Array(Buffer.from(digits, "latin1")));
}
