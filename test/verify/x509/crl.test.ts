import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DerError, children, readDer, type Tlv } from "../../../src/util/der.js";
import { certificateBlobs, parseCertificate, verifyRsaPss } from "../../../src/verify/x509/certificate.js";
import { parseCrl, type Crl } from "../../../src/verify/x509/crl.js";
import { testPki, type TestPki } from "../../helpers/snp-pki.js";

/**
 * CRLs are made by `openssl ca -gencrl` (testPki().crl); expected values come from
 * `openssl crl -noout ...` on the same file.
 */

const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");
const openssl = (args: string[]): string => execFileSync("openssl", args, { encoding: "utf8" });
/** ns since the epoch of an openssl date ("2026-11-22 16:52:43Z" or "Nov 22 16:52:43 2026 GMT"). */
const ns = (text: string): bigint => {
  const iso = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})Z$/.exec(text.trim());
  const ms = iso ? Date.parse(`${iso[1]}T${iso[2]}Z`) : Date.parse(text.trim());
  if (Number.isNaN(ms)) throw new Error(`unparsed date ${text}`);
  return BigInt(ms) * 1_000_000n;
};

interface OpensslCrl {
  readonly der: Uint8Array;
  readonly issuerCn: string;
  readonly lastUpdate: bigint;
  readonly nextUpdate: bigint;
  readonly revoked: Map<string, bigint>;
}

function opensslView(path: string): OpensslCrl {
  const der = new Uint8Array(execFileSync("openssl", ["crl", "-in", path, "-outform", "DER"]));
  const issuer = openssl(["crl", "-in", path, "-noout", "-issuer"]);
  const dates = openssl(["crl", "-in", path, "-noout", "-lastupdate", "-nextupdate", "-dateopt", "iso_8601"]);
  const text = openssl(["crl", "-in", path, "-noout", "-text"]);
  const revoked = new Map<string, bigint>();
  for (const m of text.matchAll(/Serial Number: ([0-9A-F]+)\s+Revocation Date: (.+)/g)) revoked.set(m[1]!.toLowerCase(), ns(m[2]!));
  return {
    der,
    issuerCn: /CN ?= ?([^,\n]+)/.exec(issuer)![1]!.trim(),
    lastUpdate: ns(/lastUpdate=(.+)/.exec(dates)![1]!),
    nextUpdate: ns(/nextUpdate=(.+)/.exec(dates)![1]!),
    revoked,
  };
}

const readCrlFile = (path: string): Crl => {
  const blobs = certificateBlobs(readFileSync(path), "X509 CRL");
  expect(blobs).toHaveLength(1);
  return parseCrl(blobs[0]!);
};

/** Re-encodes a TLV with the given tag around the given parts. */
const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
  const body = Buffer.concat(parts);
  const n = body.byteLength;
  const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
  return Uint8Array.from([...head, ...body]);
};

let pki: TestPki;
let revokedPath: string;
let emptyPath: string;
let arkKey: ReturnType<typeof parseCertificate>;
let askKey: ReturnType<typeof parseCertificate>;
let vekSerials: string[];

beforeAll(() => {
  pki = testPki("Milan", "ASK", "crl-test");
  const a = pki.vek({ tcb: { bl: 3, tee: 0, snp: 8, ucode: 115 } });
  const b = pki.vek({ tcb: { bl: 3, tee: 0, snp: 8, ucode: 115 } });
  vekSerials = [a.serialHex, b.serialHex];
  // Revoke the first VCEK (vek0.pem) and the ASK; 48 hours until the next update.
  revokedPath = pki.crl([join(pki.dir, "vek0.pem"), pki.askCertFile], 48);
  emptyPath = pki.crl([]);
  arkKey = parseCertificate(new Uint8Array(new X509Certificate(pki.arkPem).raw));
  askKey = parseCertificate(new Uint8Array(new X509Certificate(pki.askPem).raw));
});

describe("parseCrl on openssl-made CRLs", () => {
  it("reads the issuer, update times and revoked serials that `openssl crl` reports (two revoked)", () => {
    const crl = readCrlFile(revokedPath);
    const want = opensslView(revokedPath);
    expect(hex(crl.der)).toBe(hex(want.der));
    expect(crl.issuer.commonName).toBe(want.issuerCn);
    expect(crl.issuer.commonName).toBe("ARK-Milan");
    expect(hex(crl.issuer.der)).toBe(hex(arkKey.subject.der));
    expect(crl.thisUpdate).toBe(want.lastUpdate);
    expect(crl.nextUpdate).toBe(want.nextUpdate);
    expect(crl.nextUpdate! - crl.thisUpdate).toBe(48n * 3600n * 1_000_000_000n);
    expect(want.revoked.size).toBe(2);
    expect(crl.revoked).toEqual(want.revoked);
    // The VCEK issued first (serial 01) and the ASK (serial 0x10001 as testPki sets it) are revoked; the second VCEK is not.
    expect([...crl.revoked.keys()].sort()).toEqual(["010001", vekSerials[0]!].sort());
    expect(crl.revoked.has(vekSerials[1]!)).toBe(false);
  });

  it("reads a CRL with no revoked certificates", () => {
    const crl = readCrlFile(emptyPath);
    const want = opensslView(emptyPath);
    expect(want.revoked.size).toBe(0);
    expect(crl.revoked.size).toBe(0);
    expect(crl.thisUpdate).toBe(want.lastUpdate);
    expect(crl.nextUpdate).toBe(want.nextUpdate);
    expect(crl.nextUpdate! - crl.thisUpdate).toBe(24n * 3600n * 1_000_000_000n);
  });

  it("decodes the RSASSA-PSS SHA-384 salt 48 signature algorithm", () => {
    expect(readCrlFile(revokedPath).signatureAlgorithm).toEqual({ kind: "rsassa-pss", hash: "sha384", mgfHash: "sha384", saltLength: 48 });
  });

  it("has a signature that verifies with the test ARK key (as `openssl crl -verify` agrees), and not with the ASK key", () => {
    const check = spawnSync("openssl", ["crl", "-in", revokedPath, "-noout", "-CAfile", pki.arkCertFile, "-verify"], { encoding: "utf8" });
    expect(check.stderr + check.stdout).toMatch(/verify OK/);
    for (const path of [revokedPath, emptyPath]) {
      const crl = readCrlFile(path);
      expect(verifyRsaPss(crl.tbs, crl.signature, arkKey.publicKey, crl.signatureAlgorithm)).toBe(true);
      expect(verifyRsaPss(crl.tbs, crl.signature, askKey.publicKey, crl.signatureAlgorithm)).toBe(false);
    }
  });

  it("does not verify after a flipped bit in the TBS or in the signature", () => {
    const crl = readCrlFile(revokedPath);
    for (const at of [0, 5, crl.tbs.byteLength >> 1, crl.tbs.byteLength - 1]) {
      const tbs = Uint8Array.from(crl.tbs);
      tbs[at]! ^= 0x01;
      expect(verifyRsaPss(tbs, crl.signature, arkKey.publicKey, crl.signatureAlgorithm)).toBe(false);
    }
    const sig = Uint8Array.from(crl.signature);
    sig[sig.byteLength - 1]! ^= 0x01;
    expect(verifyRsaPss(crl.tbs, sig, arkKey.publicKey, crl.signatureAlgorithm)).toBe(false);
  });
});

describe("parseCrl rejects malformed CRLs", () => {
  let der: Uint8Array;
  let tbs: Tlv;
  let alg: Tlv;
  let sig: Tlv;
  let fields: Tlv[];
  beforeAll(() => {
    der = opensslView(revokedPath).der;
    [tbs, alg, sig] = children(readDer(der)) as [Tlv, Tlv, Tlv];
    fields = children(tbs);
  });
  const rebuild = (tbsFields: Uint8Array[], ...rest: Uint8Array[]) => tlv(0x30, tlv(0x30, ...tbsFields), ...rest);

  it("rebuilding the CRL from its parts is the identity (sanity check of the test encoder)", () => {
    expect(hex(rebuild(fields.map((f) => f.bytes), alg.bytes, sig.bytes))).toBe(hex(der));
    // TBSCertList: version, signature, issuer, thisUpdate, nextUpdate, revokedCertificates, [0] crlExtensions
    expect(fields.map((f) => f.tag)).toEqual([0x02, 0x30, 0x30, 0x17, 0x17, 0x30, 0xa0]);
  });

  it("throws a DerError for every truncation", () => {
    for (let n = 0; n < der.byteLength; n++) expect(() => parseCrl(der.subarray(0, n)), `length ${n}`).toThrow(DerError);
  });

  it("never yields a verifying CRL after a one-bit flip at any position", () => {
    let parsed = 0;
    for (let at = 0; at < der.byteLength; at++) {
      const bad = Uint8Array.from(der);
      bad[at]! ^= 0x01;
      let crl: Crl;
      try {
        crl = parseCrl(bad);
      } catch (err) {
        expect(err, `offset ${at}`).toBeInstanceOf(DerError);
        continue;
      }
      parsed++;
      expect(verifyRsaPss(crl.tbs, crl.signature, arkKey.publicKey, crl.signatureAlgorithm), `offset ${at}`).toBe(false);
    }
    expect(parsed).toBeGreaterThan(0);
  });

  it("throws a DerError (not a TypeError) without signatureAlgorithm/signature or with an empty TBSCertList", () => {
    expect(() => parseCrl(tlv(0x30, tbs.bytes))).toThrow(DerError);
    expect(() => parseCrl(tlv(0x30, tbs.bytes, alg.bytes))).toThrow(DerError);
    expect(() => parseCrl(rebuild([], alg.bytes, sig.bytes))).toThrow(DerError);
    expect(() => parseCrl(tlv(0x30))).toThrow(DerError);
  });

  it("throws a DerError when thisUpdate is missing", () => {
    expect(() => parseCrl(rebuild(fields.slice(0, 3).map((f) => f.bytes), alg.bytes, sig.bytes))).toThrow(DerError);
  });

  it("throws a DerError for a revoked entry without a revocation date", () => {
    const entries = children(fields[5]!);
    const serialOnly = tlv(0x30, children(entries[0]!)[0]!.bytes);
    const list = tlv(0x30, serialOnly, ...entries.slice(1).map((e) => e.bytes));
    expect(() => parseCrl(rebuild(fields.map((f, i) => (i === 5 ? list : f.bytes)), alg.bytes, sig.bytes))).toThrow(DerError);
  });

  it("throws a DerError when the inner and outer algorithms differ, for extra fields, and for unknown TBS fields", () => {
    const otherAlg = tlv(0x30, Uint8Array.from([0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00])); // sha384WithRSAEncryption
    expect(() => parseCrl(tlv(0x30, tbs.bytes, otherAlg, sig.bytes))).toThrow(/differ/);
    expect(() => parseCrl(tlv(0x30, tbs.bytes, alg.bytes, sig.bytes, Uint8Array.of(0x05, 0x00)))).toThrow(/extra fields/);
    expect(() => parseCrl(rebuild([...fields.map((f) => f.bytes), Uint8Array.of(0x05, 0x00)], alg.bytes, sig.bytes))).toThrow(/unexpected/);
  });

  it("refuses a v1 CRL with extensions or entry extensions, an empty revokedCertificates, a version other than v2", () => {
    // fields: version, signature, issuer, thisUpdate, nextUpdate, revokedCertificates, [0] extensions
    expect(fields.map((f) => f.tag)).toEqual([0x02, 0x30, 0x30, 0x17, 0x17, 0x30, 0xa0]);
    const v1WithExtensions = [fields[1]!, fields[2]!, fields[3]!, fields[4]!, fields[5]!, fields[6]!].map((f) => f.bytes);
    expect(() => parseCrl(rebuild(v1WithExtensions, alg.bytes, sig.bytes))).toThrow(/v1 CRL cannot have extensions/);
    const entries = children(fields[5]!);
    const withEntryExtension = tlv(0x30, ...children(entries[0]!).map((e) => e.bytes), tlv(0x30, tlv(0x30, Uint8Array.of(0x06, 0x03, 0x55, 0x1d, 0x15), tlv(0x04, Uint8Array.of(0x0a, 0x01, 0x01)))));
    const v1EntryExtension = [fields[1]!, fields[2]!, fields[3]!, fields[4]!].map((f) => f.bytes).concat(tlv(0x30, withEntryExtension));
    expect(() => parseCrl(rebuild(v1EntryExtension, alg.bytes, sig.bytes))).toThrow(/v1 CRL cannot have entry extensions/);
    // The same entry extension (reasonCode, not critical) is fine in a v2 CRL.
    expect(parseCrl(rebuild(fields.map((f, i) => (i === 5 ? tlv(0x30, withEntryExtension) : f.bytes)), alg.bytes, sig.bytes)).criticalExtensions).toEqual([]);
    expect(() => parseCrl(rebuild(fields.map((f, i) => (i === 5 ? tlv(0x30) : f.bytes)), alg.bytes, sig.bytes))).toThrow(/empty revokedCertificates/);
    expect(() => parseCrl(rebuild(fields.map((f, i) => (i === 0 ? Uint8Array.of(0x02, 0x01, 0x02) : f.bytes)), alg.bytes, sig.bytes))).toThrow(/not v2/);
  });

  it("accepts a v1 TBSCertList (no version, no extensions, no nextUpdate) with the same content", () => {
    const v1 = parseCrl(rebuild([fields[1]!, fields[2]!, fields[3]!, fields[5]!].map((f) => f.bytes), alg.bytes, sig.bytes));
    const v2 = parseCrl(der);
    expect(v1.nextUpdate).toBeUndefined();
    expect(v1.thisUpdate).toBe(v2.thisUpdate);
    expect(v1.revoked).toEqual(v2.revoked);
    // ... but its signature (made over the v2 TBS) does not verify.
    expect(verifyRsaPss(v1.tbs, v1.signature, arkKey.publicKey, v1.signatureAlgorithm)).toBe(false);
  });
});
