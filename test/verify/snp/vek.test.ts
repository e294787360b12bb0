import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { DerError } from "../../../src/util/der.js";
import { vekExtensions } from "../../../src/verify/snp/vek.js";
import { parseCertificate } from "../../../src/verify/x509/certificate.js";
import { COMMITTED } from "../../helpers/fixtures.js";
import { testPki, type TestPki } from "../../helpers/snp-pki.js";

/**
 * Expected values: each set's verify.json `vcek_extensions`, MANIFEST.json (chip_id, reported
 * TCB, product name), and `openssl asn1parse` of the certificate (extension values decoded here
 * by hand). Synthetic certificates come from testPki (openssl x509 with an extension file).
 */

const REPORTS = join(COMMITTED, "snp-reports");
const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");
const AMD_OID = "1.3.6.1.4.1.3704.1";

interface ManifestEntry {
  readonly set: string;
  readonly product: string;
  readonly signer: "VCEK" | "VLEK";
  readonly chip_id: string;
  readonly vek_product_name: string;
  readonly reported_tcb: { fmc?: number; bl: number; tee: number; snp: number; ucode: number };
}
const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as ManifestEntry[];

const vekDer = (set: string): Uint8Array => {
  const file = readdirSync(join(REPORTS, set)).find((f) => /^(vcek|vlek)\.(der|pem)$/.test(f))!;
  return new Uint8Array(new X509Certificate(readFileSync(join(REPORTS, set, file))).raw);
};

/** AMD extension values from `openssl asn1parse`: OID (numeric, openssl has no name for them) → extnValue bytes. */
function opensslAmdExtensions(der: Uint8Array): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const lines = execFileSync("openssl", ["asn1parse", "-inform", "DER"], { input: der, encoding: "utf8" }).split("\n");
  for (let i = 0; i < lines.length; i++) {
    const oid = /OBJECT\s+:(1\.3\.6\.1\.4\.1\.3704\.1[.\d]*)\s*$/.exec(lines[i]!);
    if (!oid) continue;
    const value = /OCTET STRING\s+(?:\[HEX DUMP\]:([0-9A-F]*)|:(.*))\s*$/.exec(lines[i + 1]!);
    if (!value) throw new Error(`no value after ${lines[i]}`);
    out.set(oid[1]!, value[1] !== undefined ? Buffer.from(value[1], "hex") : Buffer.from(value[2]!, "latin1"));
  }
  return out;
}
/** A hand decoder for the two shapes AMD uses: INTEGER (02 len bytes) and IA5String (16 len chars). */
const derInteger = (b: Buffer): number => {
  expect(b[0]).toBe(0x02);
  expect(b[1]).toBe(b.length - 2);
  return Number(BigInt(`0x${b.subarray(2).toString("hex")}`));
};
const derIa5 = (b: Buffer): string => {
  expect(b[0]).toBe(0x16);
  expect(b[1]).toBe(b.length - 2);
  return b.subarray(2).toString("latin1");
};

const SPL_OIDS = { bl: `${AMD_OID}.3.1`, tee: `${AMD_OID}.3.2`, snp: `${AMD_OID}.3.3`, ucode: `${AMD_OID}.3.8`, fmc: `${AMD_OID}.3.9` } as const;

describe("vekExtensions on every fixture VCEK/VLEK", () => {
  for (const m of MANIFEST) {
    it(`${m.set} (${m.signer}): matches verify.json, openssl asn1parse and the manifest`, () => {
      const der = vekDer(m.set);
      const ext = vekExtensions(parseCertificate(der));
      const v = JSON.parse(readFileSync(join(REPORTS, m.set, "verify.json"), "utf8")) as { verification: { vcek_extensions: Record<string, number | string> } };
      const want = v.verification.vcek_extensions;
      const ossl = opensslAmdExtensions(der);

      // structVersion and productName
      expect(ext.structVersion).toBe(want[`${AMD_OID}.1`]);
      expect(ext.structVersion).toBe(derInteger(ossl.get(`${AMD_OID}.1`)!));
      expect(ext.productName).toBe(want[`${AMD_OID}.2`]);
      expect(ext.productName).toBe(derIa5(ossl.get(`${AMD_OID}.2`)!));
      expect(ext.productName).toBe(m.vek_product_name);
      const turin = m.product.startsWith("Turin");
      expect(ext.structVersion).toBe(turin ? 1 : 0);
      // spl4..spl7 (.3.4-.3.7), where present, are 0 as openssl reads them, and reftrail agrees.
      for (const n of [4, 5, 6, 7]) if (ossl.has(`${AMD_OID}.3.${n}`)) expect(derInteger(ossl.get(`${AMD_OID}.3.${n}`)!), `spl${n}`).toBe(0);
      expect(ext.nonZeroReservedSpls).toEqual([]);

      // SPLs: present exactly where the certificate has them, equal to the reported TCB of the report
      for (const [component, oid] of Object.entries(SPL_OIDS) as [keyof typeof SPL_OIDS, string][]) {
        if (want[oid] === undefined) {
          expect(ossl.has(oid)).toBe(false);
          expect(ext.tcb[component], component).toBeUndefined();
        } else {
          expect(ext.tcb[component], component).toBe(want[oid]);
          expect(ext.tcb[component], component).toBe(derInteger(ossl.get(oid)!));
          expect(ext.tcb[component], component).toBe(m.reported_tcb[component]);
        }
      }
      expect(Object.keys(ext.tcb).sort()).toEqual((turin ? ["bl", "fmc", "snp", "tee", "ucode"] : ["bl", "snp", "tee", "ucode"]).sort());

      if (m.signer === "VCEK") {
        // hwID: raw bytes, 64 = CHIP_ID (Milan/Genoa), 8 = CHIP_ID[0:8] (Turin)
        expect(hex(ext.hwId!)).toBe(String(want[`${AMD_OID}.4`]));
        expect(hex(ext.hwId!)).toBe(ossl.get(`${AMD_OID}.4`)!.toString("hex"));
        expect(ext.hwId!.byteLength).toBe(turin ? 8 : 64);
        expect(hex(ext.hwId!)).toBe(m.chip_id.slice(0, turin ? 16 : 128));
        expect(ext.cspId).toBeUndefined();
      } else {
        expect(ext.hwId).toBeUndefined();
        expect(ossl.has(`${AMD_OID}.4`)).toBe(false);
        // The IA5String as openssl shows it. (The spec's §6.3 example omits the "CN=" prefix the real VLEK carries.)
        expect(ext.cspId).toBe(derIa5(ossl.get(`${AMD_OID}.5`)!));
        expect(ext.cspId).toBe(want[`${AMD_OID}.5`]);
        expect(ext.cspId).toBe("CN=cc-us-east-2.amazonaws.com");
        expect(ext.cspId).toContain("cc-us-east-2.amazonaws.com");
      }
    });
  }

  it("the Turin VCEK has no spl4 (.3.4) and does have fmcSPL (.3.9); Milan/Genoa the reverse", () => {
    for (const m of MANIFEST) {
      const ossl = opensslAmdExtensions(vekDer(m.set));
      const turin = m.product.startsWith("Turin");
      expect(ossl.has(`${AMD_OID}.3.4`), m.set).toBe(!turin);
      expect(ossl.has(`${AMD_OID}.3.9`), m.set).toBe(turin);
    }
  });
});

describe("vekExtensions on testPki certificates", () => {
  let pki: TestPki;
  const chip = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 11) & 0xff);
  beforeAll(() => {
    pki = testPki("Milan", "ASK", "vek-ext");
  });
  const extOf = (o: Parameters<TestPki["vek"]>[0]) => vekExtensions(parseCertificate(pki.vek(o).certDer));

  it("reads the values it was given (raw 64-byte hwID)", () => {
    const ext = extOf({ tcb: { bl: 3, tee: 1, snp: 8, ucode: 255 }, hwId: chip });
    expect(ext).toEqual({ nonZeroReservedSpls: [], structVersion: 0, productName: "Milan-B0", tcb: { bl: 3, tee: 1, snp: 8, ucode: 255 }, hwId: chip, cspId: undefined });
  });

  it("reads a Turin-style certificate: structVersion 1, fmcSPL, raw 8-byte hwID", () => {
    const ext = extOf({ productName: "Turin", structVersion: 1, tcb: { fmc: 2, bl: 1, tee: 0, snp: 3, ucode: 72 }, hwId: chip.subarray(0, 8) });
    expect(ext.structVersion).toBe(1);
    expect(ext.productName).toBe("Turin");
    expect(ext.tcb).toEqual({ fmc: 2, bl: 1, tee: 0, snp: 3, ucode: 72 });
    expect(hex(ext.hwId!)).toBe(hex(chip.subarray(0, 8)));
  });

  it("accepts a hwID wrapped in an OCTET STRING (04 40 + 64 bytes, 04 08 + 8 bytes) and returns the inner bytes", () => {
    const wrapped64 = extOf({ tcb: { bl: 1 }, hwId: Uint8Array.from([0x04, 0x40, ...chip]) });
    expect(hex(wrapped64.hwId!)).toBe(hex(chip));
    const wrapped8 = extOf({ tcb: { bl: 1 }, hwId: Uint8Array.from([0x04, 0x08, ...chip.subarray(0, 8)]) });
    expect(hex(wrapped8.hwId!)).toBe(hex(chip.subarray(0, 8)));
  });

  it("rejects a hwID of another length, raw or wrapped", () => {
    const cert = (hwId: Uint8Array) => parseCertificate(pki.vek({ tcb: { bl: 1 }, hwId }).certDer);
    expect(() => vekExtensions(cert(chip.subarray(0, 32)))).toThrow(DerError);
    expect(() => vekExtensions(cert(Uint8Array.from([0x04, 0x20, ...chip.subarray(0, 32)])))).toThrow(DerError);
    expect(() => vekExtensions(cert(Uint8Array.from([...chip, 0x00])))).toThrow(DerError);
    expect(() => vekExtensions(cert(Uint8Array.from([0x02, 0x40, ...chip])))).toThrow(DerError);
  });

  it("reads a VLEK: cspId, no hwID", () => {
    const ext = extOf({ kind: "VLEK", productName: "Milan", tcb: { bl: 4, tee: 0, snp: 24, ucode: 217 }, cspId: "cc-us-east-2.amazonaws.com" });
    expect(ext).toEqual({ nonZeroReservedSpls: [], structVersion: 0, productName: "Milan", tcb: { bl: 4, tee: 0, snp: 24, ucode: 217 }, hwId: undefined, cspId: "cc-us-east-2.amazonaws.com" });
  });

  it("reports absent SPL extensions as absent (not as 0)", () => {
    const ext = extOf({ tcb: { snp: 0 } });
    expect(ext.tcb).toEqual({ snp: 0 });
    expect("bl" in ext.tcb).toBe(false);
  });

  it("accepts SPL 255 and rejects SPL 256, 300 and negative SPLs", () => {
    expect(extOf({ tcb: { ucode: 255 } }).tcb.ucode).toBe(255);
    for (const bad of [256, 300, 65535, -1]) {
      const cert = parseCertificate(pki.vek({ tcb: { ucode: bad } }).certDer);
      expect(() => vekExtensions(cert), String(bad)).toThrow(DerError);
    }
    expect(() => vekExtensions(parseCertificate(pki.vek({ tcb: { bl: 300 } }).certDer))).toThrow(/blSPL is 300/);
  });

  it("rejects a structVersion above 255", () => {
    expect(() => vekExtensions(parseCertificate(pki.vek({ structVersion: 256, tcb: {} }).certDer))).toThrow(DerError);
  });
});
