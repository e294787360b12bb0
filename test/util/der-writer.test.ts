import { describe, expect, it } from "vitest";
import { bitString, boolean, explicit, ia5String, integer, namedBits, nul, octetString, oid, sequence, set, time, tlv, utf8String } from "../../src/util/der-writer.js";
import { children, readBoolean, readDer, readNamedBits, readOid, readString, readTime, readUnsigned } from "../../src/util/der.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Expected encodings written by hand from X.690 (and, for the OIDs, as RFC 4055/5280 print them). */
describe("DER writer: known encodings", () => {
  it("lengths: short form below 128, else the minimal long form", () => {
    expect(hex(tlv(0x04, new Uint8Array(127))).slice(0, 4)).toBe("047f");
    expect(hex(tlv(0x04, new Uint8Array(128))).slice(0, 6)).toBe("048180");
    expect(hex(tlv(0x04, new Uint8Array(256))).slice(0, 8)).toBe("04820100");
    expect(hex(tlv(0x04, new Uint8Array(70000))).slice(0, 10)).toBe("0483011170");
  });
  it("INTEGERs are minimal and non-negative", () => {
    expect(hex(integer(0))).toBe("020100");
    expect(hex(integer(127))).toBe("02017f");
    expect(hex(integer(128))).toBe("02020080");
    expect(hex(integer(256))).toBe("02020100");
    expect(hex(integer(0x10001n))).toBe("0203010001");
    expect(() => integer(-1)).toThrow(RangeError);
  });
  it("OIDs", () => {
    expect(hex(oid("1.2.840.113549.1.1.10"))).toBe("06092a864886f70d01010a"); // RSASSA-PSS
    expect(hex(oid("2.5.29.19"))).toBe("0603551d13"); // basicConstraints
    expect(hex(oid("1.3.6.1.4.1.3704.1.3.8"))).toBe("060a2b060104019c78010308"); // AMD ucodeSPL
    expect(hex(oid("2.999.3"))).toBe("0603883703");
    for (const bad of ["1", "3.1", "1.40", "1.2.x"]) expect(() => oid(bad)).toThrow(RangeError);
  });
  it("KeyUsage bits drop trailing zero bits (X.690 §11.2.2)", () => {
    expect(hex(namedBits([5, 6]))).toBe("03020106"); // keyCertSign, cRLSign
    expect(hex(namedBits([0]))).toBe("03020780"); // digitalSignature
    expect(hex(namedBits([0, 8]))).toBe("0303078080");
    expect(hex(namedBits([]))).toBe("030100");
  });
  it("SET OF is sorted, SEQUENCE keeps its order", () => {
    expect(hex(set(integer(2), integer(1)))).toBe("3106020101020102");
    expect(hex(sequence(integer(2), integer(1)))).toBe("3006020102020101");
  });
  it("times: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)", () => {
    expect(Buffer.from(time(new Date("2026-12-03T09:20:44.999Z"))).toString("latin1").slice(2)).toBe("261203092044Z");
    expect(time(new Date("2049-12-31T23:59:59Z"))[0]).toBe(0x17);
    expect(Buffer.from(time(new Date("2050-01-01T00:00:00Z"))).toString("latin1").slice(2)).toBe("20500101000000Z");
  });
  it("the rest", () => {
    expect(hex(nul())).toBe("0500");
    expect(hex(boolean(true))).toBe("0101ff");
    expect(hex(boolean(false))).toBe("010100");
    expect(hex(octetString(Uint8Array.of(1, 2)))).toBe("04020102");
    expect(hex(bitString(Uint8Array.of(0xab)))).toBe("030200ab");
    expect(hex(explicit(3, nul()))).toBe("a3020500");
    expect(hex(ia5String("Milan-B0"))).toBe("16084d696c616e2d4230");
    expect(() => ia5String("—")).toThrow(RangeError);
    expect(hex(utf8String("—"))).toBe("0c03e28094");
  });
});

describe("DER writer: der.ts reads back what it writes", () => {
  it("values of every kind", () => {
    for (const n of [0n, 1n, 127n, 128n, 255n, 256n, 2n ** 64n - 1n, 2n ** 200n]) expect(readUnsigned(readDer(integer(n)))).toBe(n);
    for (const o of ["1.3.6.1.4.1.3704.1.4", "2.16.840.1.101.3.4.2.2", "2.5.4.3"]) expect(readOid(readDer(oid(o)))).toBe(o);
    expect(readString(readDer(utf8String("reftrail TEST ARK — not AMD")))).toBe("reftrail TEST ARK — not AMD");
    expect([...readNamedBits(readDer(namedBits([0, 5, 6, 9])))]).toEqual([0, 5, 6, 9]);
    expect(readBoolean(readDer(boolean(true)))).toBe(true);
    for (const iso of ["1999-01-02T03:04:05Z", "2026-12-03T00:00:00Z", "2077-07-07T07:07:07Z"]) {
      expect(readTime(readDer(time(new Date(iso))))).toBe(BigInt(Date.parse(iso)) * 1_000_000n);
    }
    const big = sequence(octetString(new Uint8Array(1000)), set(integer(3), integer(1)));
    expect(children(readDer(big)).map((c) => c.tag)).toEqual([0x04, 0x31]);
  });
});
