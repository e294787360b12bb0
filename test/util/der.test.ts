import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DerError, TAG, children, expectTag, readBitStringBytes, readBoolean, readDer, readIntegerHex, readNamedBits, readOid, readString, readTime, readUnsigned, type Tlv } from "../../src/util/der.js";
import { COMMITTED } from "../helpers/fixtures.js";

/** Hand-built encodings: bytes written out in the test, not produced by reftrail. */
const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
const hexBytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex.replace(/\s+/g, ""), "hex"));
const ascii = (tag: number, text: string): Uint8Array => b(tag, text.length, ...Buffer.from(text, "latin1"));
const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");

function expectDerError(fn: () => unknown, message?: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown, "expected a DerError").toBeInstanceOf(DerError);
  if (message) expect((thrown as Error).message).toMatch(message);
}

/** ns since the epoch for an ISO-8601 instant, by the JS Date parser (not reftrail's). */
const ns = (iso: string): bigint => BigInt(Date.parse(iso)) * 1_000_000n;

/** The AMD Milan ARK as DER, via node's X509Certificate (openssl), not reftrail's PEM reader. */
const arkDer = new Uint8Array(new X509Certificate(readFileSync(join(COMMITTED, "amd/ark_milan.pem"))).raw);

describe("readDer", () => {
  it("reads one primitive TLV with a short-form length", () => {
    const tlv = readDer(b(0x02, 0x01, 0x05));
    expect(tlv.tag).toBe(0x02);
    expect([...tlv.content]).toEqual([5]);
    expect([...tlv.bytes]).toEqual([0x02, 0x01, 0x05]);
  });

  it("reads an empty value (NULL)", () => {
    const tlv = readDer(b(0x05, 0x00));
    expect(tlv.tag).toBe(TAG.NULL);
    expect(tlv.content.byteLength).toBe(0);
  });

  it("reads minimal long-form lengths (0x81 0x80, 0x82 0x01 0x00, 0x82 0x01 0x2c)", () => {
    for (const [header, n] of [[[0x04, 0x81, 0x80], 128], [[0x04, 0x81, 0xff], 255], [[0x04, 0x82, 0x01, 0x00], 256], [[0x04, 0x82, 0x01, 0x2c], 300]] as const) {
      const data = new Uint8Array(header.length + n);
      data.set(header);
      data.fill(0xaa, header.length);
      const tlv = readDer(data);
      expect(tlv.content.byteLength).toBe(n);
      expect(tlv.content.every((x) => x === 0xaa)).toBe(true);
    }
  });

  it("reads a three-byte long-form length (0x83 0x01 0x00 0x00 = 65536)", () => {
    const data = new Uint8Array(5 + 65536);
    data.set([0x04, 0x83, 0x01, 0x00, 0x00]);
    expect(readDer(data).content.byteLength).toBe(65536);
  });

  it("rejects an empty input and a lone tag", () => {
    expectDerError(() => readDer(b()), /truncated/);
    expectDerError(() => readDer(b(0x30)), /truncated/);
  });

  it("rejects non-minimal long-form lengths", () => {
    // 5 bytes of content, length written as 0x81 0x05 (long form for a short length).
    expectDerError(() => readDer(b(0x04, 0x81, 0x05, 1, 2, 3, 4, 5)), /non-minimal/);
    // 127 in long form.
    const d127 = new Uint8Array(3 + 127);
    d127.set([0x04, 0x81, 0x7f]);
    expectDerError(() => readDer(d127), /non-minimal/);
    // 128 with a leading zero length byte.
    const d128 = new Uint8Array(4 + 128);
    d128.set([0x04, 0x82, 0x00, 0x80]);
    expectDerError(() => readDer(d128), /non-minimal/);
    // 256 with a leading zero length byte (0x83 0x00 0x01 0x00).
    const d256 = new Uint8Array(5 + 256);
    d256.set([0x04, 0x83, 0x00, 0x01, 0x00]);
    expectDerError(() => readDer(d256), /non-minimal/);
    // zero in long form.
    expectDerError(() => readDer(b(0x04, 0x81, 0x00)), /non-minimal/);
  });

  it("rejects indefinite lengths (BER 0x80 ... 00 00)", () => {
    expectDerError(() => readDer(b(0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00)), /indefinite/);
    expectDerError(() => readDer(b(0x24, 0x80, 0x04, 0x01, 0x01, 0x00, 0x00)), /indefinite/);
  });

  it("rejects length-of-length beyond 4 bytes", () => {
    expectDerError(() => readDer(b(0x04, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00)), /oversized/);
    expectDerError(() => readDer(b(0x04, 0xff)));
  });

  it("rejects a long-form length whose length bytes are cut off", () => {
    expectDerError(() => readDer(b(0x04, 0x82, 0x01)), /truncated/);
    expectDerError(() => readDer(b(0x04, 0x81)), /truncated/);
  });

  it("rejects a value running past the end", () => {
    expectDerError(() => readDer(b(0x04, 0x03, 0x01, 0x02)), /truncated/);
    expectDerError(() => readDer(b(0x30, 0x05, 0x02, 0x01, 0x01)), /truncated/);
  });

  it("rejects trailing bytes after the value", () => {
    expectDerError(() => readDer(b(0x05, 0x00, 0x00)), /1 trailing byte/);
    expectDerError(() => readDer(b(0x02, 0x01, 0x01, 0x02, 0x01, 0x02)), /3 trailing bytes/);
    const doubled = new Uint8Array(arkDer.byteLength * 2);
    doubled.set(arkDer);
    doubled.set(arkDer, arkDer.byteLength);
    expectDerError(() => readDer(doubled), /trailing/);
  });

  it("rejects multi-byte (high-number) tags", () => {
    expectDerError(() => readDer(b(0x1f, 0x81, 0x00, 0x00)), /multi-byte/);
    expectDerError(() => readDer(b(0xbf, 0x22, 0x00)), /multi-byte/);
  });

  it("rejects every truncation of a real certificate (AMD ARK-Milan, 1639 bytes)", () => {
    expect(arkDer.byteLength).toBe(1639);
    expect(() => readDer(arkDer)).not.toThrow();
    for (let n = 0; n < arkDer.byteLength; n++) expectDerError(() => readDer(arkDer.subarray(0, n)));
  });

  it("walks a real certificate into the same TLV tree as `openssl asn1parse`", () => {
    const expected = execFileSync("openssl", ["asn1parse", "-inform", "DER"], { input: arkDer, encoding: "utf8" })
      .split("\n")
      .filter((l) => l.trim().length > 0)
      .map((l) => {
        const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(cons|prim):/.exec(l);
        if (!m) throw new Error(`unparsed asn1parse line: ${l}`);
        return `${m[1]} d=${m[2]} hl=${m[3]} l=${m[4]} ${m[5]}`;
      });
    const got: string[] = [];
    const walk = (tlv: Tlv, depth: number) => {
      const offset = tlv.bytes.byteOffset - arkDer.byteOffset;
      const constructed = (tlv.tag & 0x20) !== 0;
      got.push(`${offset} d=${depth} hl=${tlv.bytes.byteLength - tlv.content.byteLength} l=${tlv.content.byteLength} ${constructed ? "cons" : "prim"}`);
      if (constructed) for (const c of children(tlv)) walk(c, depth + 1);
    };
    walk(readDer(arkDer), 0);
    expect(expected.length).toBeGreaterThan(50);
    expect(got).toEqual(expected);
  });
});

describe("children", () => {
  it("returns the elements of a SEQUENCE in order", () => {
    // SEQUENCE { INTEGER 1, NULL, OCTET STRING 'ab' }
    const seq = readDer(b(0x30, 0x09, 0x02, 0x01, 0x01, 0x05, 0x00, 0x04, 0x02, 0x61, 0x62));
    const kids = children(seq);
    expect(kids.map((k) => k.tag)).toEqual([0x02, 0x05, 0x04]);
    expect(hex(kids[2]!.content)).toBe("6162");
  });

  it("returns no elements for an empty SEQUENCE and reads [n] EXPLICIT", () => {
    expect(children(readDer(b(0x30, 0x00)))).toEqual([]);
    const explicit = children(readDer(b(0xa0, 0x03, 0x02, 0x01, 0x02)));
    expect(explicit).toHaveLength(1);
    expect(readUnsigned(explicit[0]!)).toBe(2n);
  });

  it("refuses a primitive value", () => {
    expectDerError(() => children(readDer(b(0x04, 0x03, 0x02, 0x01, 0x01))), /not constructed/);
  });

  it("rejects an element running past the end of its parent", () => {
    // SEQUENCE of 3 bytes containing an INTEGER that claims 2 bytes of content.
    expectDerError(() => children(readDer(b(0x30, 0x03, 0x02, 0x02, 0x01))), /truncated/);
    // SEQUENCE with a dangling tag.
    expectDerError(() => children(readDer(b(0x30, 0x04, 0x02, 0x01, 0x01, 0x05))), /truncated/);
  });

  it("rejects non-minimal and indefinite lengths inside a SEQUENCE", () => {
    expectDerError(() => children(readDer(b(0x30, 0x04, 0x02, 0x81, 0x01, 0x01))), /non-minimal/);
    expectDerError(() => children(readDer(b(0x30, 0x04, 0x30, 0x80, 0x00, 0x00))), /indefinite/);
  });
});

describe("expectTag", () => {
  it("passes the value through, names a missing or mistagged value", () => {
    const t = readDer(b(0x05, 0x00));
    expect(expectTag(t, TAG.NULL, "x")).toBe(t);
    expectDerError(() => expectTag(undefined, TAG.NULL, "the thing"), /the thing is missing/);
    expectDerError(() => expectTag(t, TAG.INTEGER, "the thing"), /the thing has tag 0x5, expected 0x2/);
  });
});

describe("readOid", () => {
  const oid = (h: string) => readOid(readDer(hexBytes(h)));

  it("decodes well-known OIDs", () => {
    expect(oid("06 03 55 04 03")).toBe("2.5.4.3"); // commonName
    expect(oid("06 09 2a 86 48 86 f7 0d 01 01 0a")).toBe("1.2.840.113549.1.1.10"); // RSASSA-PSS
    expect(oid("06 09 60 86 48 01 65 03 04 02 02")).toBe("2.16.840.1.101.3.4.2.2"); // SHA-384
    expect(oid("06 05 2b 81 04 00 22")).toBe("1.3.132.0.34"); // secp384r1
    expect(oid("06 0a 2b 06 01 04 01 9c 78 01 03 08")).toBe("1.3.6.1.4.1.3704.1.3.8"); // AMD ucodeSPL
    expect(oid("06 01 00")).toBe("0.0");
    expect(oid("06 01 27")).toBe("0.39");
    expect(oid("06 01 28")).toBe("1.0");
    expect(oid("06 01 4f")).toBe("1.39");
    expect(oid("06 01 50")).toBe("2.0");
    expect(oid("06 03 88 37 03")).toBe("2.999.3"); // first subidentifier 1079 spans two bytes
  });

  it("agrees with openssl on an OID it has to spell numerically", () => {
    const der = hexBytes("06 0a 2b 06 01 04 01 9c 78 01 03 09");
    const out = execFileSync("openssl", ["asn1parse", "-inform", "DER"], { input: der, encoding: "utf8" });
    expect(out).toContain(`:${readOid(readDer(der))}`);
    expect(readOid(readDer(der))).toBe("1.3.6.1.4.1.3704.1.3.9");
  });

  it("rejects an empty OID, a non-minimal arc, a truncated arc and a wrong tag", () => {
    expectDerError(() => oid("06 00"), /empty/);
    expectDerError(() => oid("06 03 2b 80 01"), /non-minimal/);
    expectDerError(() => oid("06 02 80 01"), /non-minimal/);
    expectDerError(() => oid("06 02 2b 86"), /truncated/);
    expectDerError(() => oid("06 01 86"), /truncated/);
    expectDerError(() => oid("04 03 55 04 03"), /OID/);
  });

  it("rejects an arc beyond 2^53", () => {
    expectDerError(() => oid("06 0a 2b ff ff ff ff ff ff ff ff 7f"), /too large/);
  });
});

describe("readUnsigned", () => {
  const int = (h: string) => readUnsigned(readDer(hexBytes(h)));

  it("decodes minimal non-negative INTEGERs", () => {
    expect(int("02 01 00")).toBe(0n);
    expect(int("02 01 05")).toBe(5n);
    expect(int("02 01 7f")).toBe(127n);
    expect(int("02 02 00 80")).toBe(128n);
    expect(int("02 02 00 ff")).toBe(255n);
    expect(int("02 02 01 00")).toBe(256n);
    expect(int("02 02 01 2c")).toBe(300n);
    expect(int("02 03 01 00 00")).toBe(65536n);
    expect(int("02 09 00 ff ff ff ff ff ff ff ff")).toBe(2n ** 64n - 1n);
  });

  it("rejects negative INTEGERs", () => {
    expectDerError(() => int("02 01 80"), /negative/);
    expectDerError(() => int("02 01 ff"), /negative/);
    expectDerError(() => int("02 02 ff 7f"), /negative/);
    expectDerError(() => int("02 02 80 00"), /negative/);
  });

  it("rejects non-minimal INTEGERs (redundant leading zero)", () => {
    expectDerError(() => int("02 02 00 00"), /non-minimal/);
    expectDerError(() => int("02 02 00 7f"), /non-minimal/);
    expectDerError(() => int("02 03 00 00 80"), /non-minimal/);
  });

  it("rejects an empty INTEGER and a wrong tag", () => {
    expectDerError(() => int("02 00"), /empty/);
    expectDerError(() => int("04 01 05"), /INTEGER/);
    expectDerError(() => int("0a 01 05"), /INTEGER/);
  });
});

describe("readTime", () => {
  const utc = (text: string) => readTime(readDer(ascii(TAG.UTC_TIME, text)));
  const gen = (text: string) => readTime(readDer(ascii(TAG.GENERALIZED_TIME, text)));

  it("reads UTCTime and GeneralizedTime as ns since the epoch", () => {
    expect(utc("201022172305Z")).toBe(ns("2020-10-22T17:23:05Z"));
    expect(utc("700101000000Z")).toBe(0n);
    expect(gen("20500101000000Z")).toBe(ns("2050-01-01T00:00:00Z"));
    expect(gen("20510415120000Z")).toBe(ns("2051-04-15T12:00:00Z"));
    expect(gen("99991231235959Z")).toBe(ns("9999-12-31T23:59:59Z"));
  });

  it("refuses GeneralizedTime for years before 2050 (RFC 5280 §4.1.2.5 encodes those as UTCTime)", () => {
    for (const text of ["20451022172305Z", "20491231235959Z", "19700101000000Z", "00490101000000Z", "00010101000000Z"]) {
      expectDerError(() => gen(text), /GeneralizedTime before 2050/);
    }
  });

  it("pivots UTCTime years at 50 (RFC 5280: 00-49 → 20xx, 50-99 → 19xx)", () => {
    expect(utc("491231235959Z")).toBe(ns("2049-12-31T23:59:59Z"));
    expect(utc("490101000000Z")).toBe(ns("2049-01-01T00:00:00Z"));
    expect(utc("500101000000Z")).toBe(ns("1950-01-01T00:00:00Z"));
    expect(utc("501231235959Z")).toBe(ns("1950-12-31T23:59:59Z"));
    expect(utc("000101000000Z")).toBe(ns("2000-01-01T00:00:00Z"));
    expect(utc("991231235959Z")).toBe(ns("1999-12-31T23:59:59Z"));
  });

  it("reads years before 1970 (UTCTime 50-69) as negative times", () => {
    expect(utc("690720201800Z")).toBe(ns("1969-07-20T20:18:00Z"));
    expect(utc("500101000000Z")).toBe(-631152000000n * 1_000_000n);
  });

  it("accepts 29 February in a leap year only", () => {
    expect(utc("240229000000Z")).toBe(ns("2024-02-29T00:00:00Z"));
    expect(gen("20520229000000Z")).toBe(ns("2052-02-29T00:00:00Z"));
    expect(gen("24000229000000Z")).toBe(ns("2400-02-29T00:00:00Z"));
    expectDerError(() => utc("230229000000Z"), /not a valid time/);
    expectDerError(() => gen("21000229000000Z"), /not a valid time/);
  });

  it("rejects impossible dates and times", () => {
    expectDerError(() => utc("250230000000Z"), /not a valid time/); // 30 February
    expectDerError(() => utc("250431000000Z"), /not a valid time/); // 31 April
    expectDerError(() => utc("251301000000Z"), /not a valid time/); // month 13
    expectDerError(() => utc("250001000000Z"), /not a valid time/); // month 0
    expectDerError(() => utc("250100000000Z"), /not a valid time/); // day 0
    expectDerError(() => utc("250132000000Z"), /not a valid time/); // day 32
    expectDerError(() => utc("250101240000Z"), /not a valid time/); // hour 24
    expectDerError(() => utc("250101236000Z"), /not a valid time/); // minute 60
    expectDerError(() => utc("250101235960Z"), /not a valid time/); // second 60
    expectDerError(() => gen("20510230000000Z"), /not a valid time/);
    expectDerError(() => gen("20510101240000Z"), /not a valid time/);
    expectDerError(() => gen("20510101000099Z"), /not a valid time/);
  });

  it("rejects forms DER does not allow for these types", () => {
    expectDerError(() => utc("2501010000Z")); // no seconds
    expectDerError(() => utc("250101000000")); // no Z
    expectDerError(() => utc("250101000000+0100")); // offset
    expectDerError(() => utc("20250101000000Z")); // GeneralizedTime text in a UTCTime
    expectDerError(() => gen("250101000000Z")); // UTCTime text in a GeneralizedTime
    expectDerError(() => gen("20250101000000.5Z")); // fractional seconds
    expectDerError(() => gen("20250101000000"));
    expectDerError(() => utc("25o101000000Z"));
    expectDerError(() => utc(" 50101000000Z"));
  });

  it("names a missing time (an absent element) as a DerError", () => {
    expectDerError(() => readTime(undefined), /missing/);
  });

  it("rejects a time under any other tag", () => {
    expectDerError(() => readTime(readDer(ascii(TAG.OCTET_STRING, "250101000000Z"))), /not a DER UTCTime/);
    expectDerError(() => readTime(readDer(ascii(TAG.PRINTABLE_STRING, "20250101000000Z"))), /not a DER UTCTime/);
  });
});

describe("readString", () => {
  it("reads UTF8String, PrintableString and IA5String", () => {
    expect(readString(readDer(hexBytes("0c 03 41 c3 a9")))).toBe("Aé");
    expect(readString(readDer(ascii(TAG.PRINTABLE_STRING, "US")))).toBe("US");
    expect(readString(readDer(ascii(TAG.IA5_STRING, "Milan-B0")))).toBe("Milan-B0");
    expect(readString(readDer(b(TAG.UTF8_STRING, 0)))).toBe("");
  });

  it("rejects invalid UTF-8", () => {
    expectDerError(() => readString(readDer(hexBytes("0c 01 ff"))), /UTF-8/);
    expectDerError(() => readString(readDer(hexBytes("0c 02 c3 28"))), /UTF-8/);
    expectDerError(() => readString(readDer(hexBytes("0c 01 c3"))), /UTF-8/);
  });

  it("rejects characters outside PrintableString's set and non-ASCII IA5String", () => {
    expect(readString(readDer(ascii(TAG.PRINTABLE_STRING, "A-z 0'()+,./:=?")))).toBe("A-z 0'()+,./:=?");
    for (const bad of ["a@b", "a*b", "a_b", "a&b", "a;b", "a\"b"]) expectDerError(() => readString(readDer(ascii(TAG.PRINTABLE_STRING, bad))), /PrintableString/);
    expectDerError(() => readString(readDer(hexBytes("13 02 c3 a9"))), /PrintableString/);
    expect(readString(readDer(ascii(TAG.IA5_STRING, "a@b_*")))).toBe("a@b_*");
    expectDerError(() => readString(readDer(hexBytes("16 02 c3 a9"))), /IA5String/);
  });

  it("rejects non-string tags", () => {
    expectDerError(() => readString(readDer(ascii(TAG.OCTET_STRING, "abc"))), /not a string/);
    expectDerError(() => readString(readDer(hexBytes("1e 02 00 41"))), /not a string/); // BMPString
    expectDerError(() => readString(readDer(hexBytes("02 01 41"))), /not a string/);
  });
});

describe("readBitStringBytes", () => {
  it("returns the bytes of a whole-byte BIT STRING", () => {
    expect(hex(readBitStringBytes(readDer(hexBytes("03 03 00 ab cd"))))).toBe("abcd");
    expect(readBitStringBytes(readDer(hexBytes("03 01 00"))).byteLength).toBe(0);
  });

  it("rejects unused bits, an empty BIT STRING and a wrong tag", () => {
    expectDerError(() => readBitStringBytes(readDer(hexBytes("03 02 01 fe"))), /unused bits/);
    expectDerError(() => readBitStringBytes(readDer(hexBytes("03 02 07 80"))), /unused bits/);
    expectDerError(() => readBitStringBytes(readDer(hexBytes("03 00"))));
    expectDerError(() => readBitStringBytes(readDer(hexBytes("04 02 00 ab"))), /BIT STRING/);
  });

  it("returns a real certificate's signature bytes (ARK-Milan: RSA-4096, 512 bytes)", () => {
    const sig = readBitStringBytes(children(readDer(arkDer))[2]!);
    expect(sig.byteLength).toBe(512);
    // The BIT STRING is the certificate's last element; its bytes after the unused-bits octet end the DER.
    expect(hex(sig)).toBe(hex(arkDer.subarray(arkDer.byteLength - 512)));
    // "...AFZEAwoKCQ==" ends the PEM: base64 of 00 56 44 03 0a 0a 09.
    expect(hex(sig.subarray(-4))).toBe("030a0a09");
  });
});

describe("readNamedBits", () => {
  it("reads KeyUsage bits, most significant first (RFC 5280 §4.2.1.3)", () => {
    // keyCertSign (5) + cRLSign (6): 0000 0110, one unused bit; as AMD's ARKs encode it.
    expect([...readNamedBits(readDer(hexBytes("03 02 01 06")))].sort()).toEqual([5, 6]);
    // keyCertSign alone: 0000 0100, two unused bits (AMD's ASKs).
    expect([...readNamedBits(readDer(hexBytes("03 02 02 04")))]).toEqual([5]);
    // digitalSignature (0): 1000 0000, seven unused bits.
    expect([...readNamedBits(readDer(hexBytes("03 02 07 80")))]).toEqual([0]);
    // decipherOnly (8) in a second byte.
    expect([...readNamedBits(readDer(hexBytes("03 03 07 00 80")))]).toEqual([8]);
  });

  it("accepts named bits with trailing zero bits, as AMD's ASKs encode keyCertSign (03 02 01 04; DER would be 03 02 02 04)", () => {
    expect([...readNamedBits(readDer(hexBytes("03 02 01 04")))]).toEqual([5]);
    expect([...readNamedBits(readDer(hexBytes("03 03 01 06 00")))].sort()).toEqual([5, 6]);
    expect(readNamedBits(readDer(hexBytes("03 01 00"))).size).toBe(0);
  });

  it("rejects set unused bits, an unused count over 7, unused bits with no bytes, and a wrong tag", () => {
    expectDerError(() => readNamedBits(readDer(hexBytes("03 02 02 06"))), /unused bits/);
    expectDerError(() => readNamedBits(readDer(hexBytes("03 02 08 00"))), /malformed/);
    expectDerError(() => readNamedBits(readDer(hexBytes("03 01 01"))), /malformed/);
    expectDerError(() => readNamedBits(readDer(hexBytes("03 00"))), /malformed/);
    expectDerError(() => readNamedBits(readDer(hexBytes("04 02 01 06"))), /BIT STRING/);
  });
});

describe("readBoolean", () => {
  it("reads DER TRUE and FALSE and refuses other encodings", () => {
    expect(readBoolean(readDer(hexBytes("01 01 ff")))).toBe(true);
    expect(readBoolean(readDer(hexBytes("01 01 00")))).toBe(false);
    expectDerError(() => readBoolean(readDer(hexBytes("01 01 01"))), /not DER/);
    expectDerError(() => readBoolean(readDer(hexBytes("01 02 ff ff"))), /not DER/);
    expectDerError(() => readBoolean(readDer(hexBytes("01 00"))), /not DER/);
    expectDerError(() => readBoolean(readDer(hexBytes("02 01 ff"))), /BOOLEAN/);
  });
});

describe("readIntegerHex", () => {
  it("returns the content of minimal INTEGERs, negative ones included", () => {
    expect(readIntegerHex(readDer(hexBytes("02 01 00")), "serial")).toBe("00");
    expect(readIntegerHex(readDer(hexBytes("02 02 00 80")), "serial")).toBe("0080");
    expect(readIntegerHex(readDer(hexBytes("02 01 ff")), "serial")).toBe("ff");
    expect(readIntegerHex(readDer(hexBytes("02 02 ff 7f")), "serial")).toBe("ff7f");
  });

  it("names the field when the INTEGER is empty, non-minimal, missing or mistagged", () => {
    expectDerError(() => readIntegerHex(readDer(hexBytes("02 00")), "serial"), /serial is an empty INTEGER/);
    expectDerError(() => readIntegerHex(readDer(hexBytes("02 02 00 01")), "serial"), /serial is a non-minimal INTEGER/);
    expectDerError(() => readIntegerHex(readDer(hexBytes("02 02 ff 80")), "serial"), /serial is a non-minimal INTEGER/);
    expectDerError(() => readIntegerHex(undefined, "serial"), /serial is missing/);
    expectDerError(() => readIntegerHex(readDer(hexBytes("04 01 01")), "serial"), /serial has tag 0x4/);
  });
});
