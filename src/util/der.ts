/**
 * A strict DER reader: definite minimal lengths, no trailing bytes. Enough of ASN.1 to take apart
 * X.509 certificates and CRLs (tags, OIDs, integers, times, strings) without a dependency; every
 * malformed encoding is a DerError, never a partial read.
 */

export class DerError extends Error {}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** One tag-length-value: `bytes` is the whole encoding, `content` its value. */
export interface Tlv {
  readonly tag: number;
  readonly bytes: Uint8Array;
  readonly content: Uint8Array;
}

function readOne(data: Uint8Array, at: number): { tlv: Tlv; next: number } {
  const tag = data[at];
  if (tag === undefined) throw new DerError("truncated: expected a tag");
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not used here");
  const first = data[at + 1];
  if (first === undefined) throw new DerError("truncated: expected a length");
  let length: number;
  let header: number;
  if (first < 0x80) {
    length = first;
    header = 2;
  } else {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new DerError("indefinite or oversized length");
    if (at + 2 + count > data.byteLength) throw new DerError("truncated length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + data[at + 2 + i]!;
    if (data[at + 2] === 0 || length < 0x80) throw new DerError("non-minimal length encoding");
    header = 2 + count;
  }
  const end = at + header + length;
  if (end > data.byteLength) throw new DerError(`truncated: a value of ${length} bytes runs past the end`);
  return { tlv: { tag, bytes: data.subarray(at, end), content: data.subarray(at + header, end) }, next: end };
}

/** Exactly one TLV spanning all of `data`. */
export function readDer(data: Uint8Array): Tlv {
  const { tlv, next } = readOne(data, 0);
  if (next !== data.byteLength) throw new DerError(`${data.byteLength - next} trailing bytes after the value`);
  return tlv;
}

/** The elements of a constructed value (SEQUENCE, SET, [n] EXPLICIT). */
export function children(tlv: Tlv): Tlv[] {
  if ((tlv.tag & 0x20) === 0) throw new DerError(`tag 0x${tlv.tag.toString(16)} is not constructed`);
  const out: Tlv[] = [];
  for (let at = 0; at < tlv.content.byteLength; ) {
    const { tlv: child, next } = readOne(tlv.content, at);
    out.push(child);
    at = next;
  }
  return out;
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (tlv === undefined) throw new DerError(`${what} is missing`);
  if (tlv.tag !== tag) throw new DerError(`${what} has tag 0x${tlv.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return tlv;
}

export function readOid(tlv: Tlv): string {
  expectTag(tlv, TAG.OID, "OID");
  const c = tlv.content;
  if (c.byteLength === 0) throw new DerError("empty OID");
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < c.byteLength; i++) {
    if (value === 0 && c[i] === 0x80) throw new DerError("non-minimal OID arc");
    value = value * 128 + (c[i]! & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new DerError("OID arc too large");
    if ((c[i]! & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    } else if (i === c.byteLength - 1) throw new DerError("truncated OID arc");
  }
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join(".");
}

/** A DER INTEGER as an unsigned big-endian magnitude (negative integers refused). */
export function readUnsigned(tlv: Tlv): bigint {
  expectTag(tlv, TAG.INTEGER, "INTEGER");
  const c = tlv.content;
  if (c.byteLength === 0) throw new DerError("empty INTEGER");
  if (c[0]! & 0x80) throw new DerError("negative INTEGER");
  if (c.byteLength > 1 && c[0] === 0 && !(c[1]! & 0x80)) throw new DerError("non-minimal INTEGER");
  return BigInt(`0x${Buffer.from(c).toString("hex")}`);
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950-2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), as ns since the epoch. */
export function readTime(tlv: Tlv | undefined): bigint {
  if (tlv === undefined) throw new DerError("time is missing");
  const text = Buffer.from(tlv.content).toString("latin1");
  let m: RegExpExecArray | null;
  let year: number;
  if (tlv.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    year = Number(m[1]) + (Number(m[1]) < 50 ? 2000 : 1900);
  } else if (tlv.tag === TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    year = Number(m[1]);
    // RFC 5280 §4.1.2.5: dates through 2049 are UTCTime; GeneralizedTime only from 2050.
    if (year < 2050) throw new DerError(`'${text}' is a GeneralizedTime before 2050, which RFC 5280 encodes as UTCTime`);
  } else {
    throw new DerError(`'${text}' is not a DER UTCTime or GeneralizedTime`);
  }
  const [month, day, hour, minute, second] = m.slice(2, 7).map(Number) as [number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw new DerError(`'${text}' is not a valid time`);
  return BigInt(date.getTime()) * 1_000_000n;
}

/** A character string (UTF8String, PrintableString, IA5String). */
export function readString(tlv: Tlv): string {
  if (tlv.tag !== TAG.UTF8_STRING && tlv.tag !== TAG.PRINTABLE_STRING && tlv.tag !== TAG.IA5_STRING) {
    throw new DerError(`tag 0x${tlv.tag.toString(16)} is not a string`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(tlv.content);
  } catch {
    throw new DerError("string is not valid UTF-8");
  }
  if (tlv.tag === TAG.PRINTABLE_STRING && !/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) throw new DerError("PrintableString has a character outside its set");
  if (tlv.tag === TAG.IA5_STRING && !/^[\x00-\x7f]*$/.test(text)) throw new DerError("IA5String has a non-ASCII character");
  return text;
}

/** A BIT STRING's bytes; only whole-byte strings (no unused bits) are accepted. */
export function readBitStringBytes(tlv: Tlv): Uint8Array {
  expectTag(tlv, TAG.BIT_STRING, "BIT STRING");
  if (tlv.content[0] !== 0) throw new DerError("BIT STRING with unused bits");
  return tlv.content.subarray(1);
}

/** A named-bit BIT STRING (KeyUsage): bit n is the nth bit from the most significant of the first byte. Unused bits must be zero. */
export function readNamedBits(tlv: Tlv): Set<number> {
  expectTag(tlv, TAG.BIT_STRING, "BIT STRING");
  const unused = tlv.content[0];
  const bytes = tlv.content.subarray(1);
  if (unused === undefined || unused > 7 || (bytes.byteLength === 0 && unused !== 0)) throw new DerError("malformed BIT STRING");
  if (bytes.byteLength > 0 && (bytes[bytes.byteLength - 1]! & ((1 << unused) - 1)) !== 0) throw new DerError("BIT STRING has non-zero unused bits");
  // DER would also remove trailing zero bits (X.690 §11.2.2), but AMD's own ASKs encode
  // keyCertSign as 03 02 01 04 (one unused bit where DER says two), so that is not enforced.
  const bits = new Set<number>();
  bytes.forEach((byte, i) => {
    for (let b = 0; b < 8; b++) if (byte & (0x80 >> b)) bits.add(i * 8 + b);
  });
  return bits;
}

/** A DER BOOLEAN (0x00 or 0xff only). */
export function readBoolean(tlv: Tlv): boolean {
  expectTag(tlv, TAG.BOOLEAN, "BOOLEAN");
  if (tlv.content.byteLength !== 1 || (tlv.content[0] !== 0 && tlv.content[0] !== 0xff)) throw new DerError("BOOLEAN is not DER (0x00 or 0xff)");
  return tlv.content[0] === 0xff;
}

/** An INTEGER's content as hex (serial numbers, compared as written); the encoding must be minimal so equal numbers compare equal. */
export function readIntegerHex(tlv: Tlv | undefined, what: string): string {
  const c = expectTag(tlv, TAG.INTEGER, what).content;
  if (c.byteLength === 0) throw new DerError(`${what} is an empty INTEGER`);
  if (c.byteLength > 1 && ((c[0] === 0 && !(c[1]! & 0x80)) || (c[0] === 0xff && c[1]! & 0x80))) throw new DerError(`${what} is a non-minimal INTEGER`);
  return Buffer.from(c).toString("hex");
}
