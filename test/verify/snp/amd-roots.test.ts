import { X509Certificate, createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AMD_CERTIFICATES } from "../../../src/verify/snp/amd-roots.js";
import { certificateBlobs, parseCertificate, verifyRsaPss } from "../../../src/verify/x509/certificate.js";
import { COMMITTED } from "../../helpers/fixtures.js";

/**
 * SHA-256 of each pinned certificate's DER, copied by hand from the spec's table
 * (/work/shared/spec/sev-snp-report.md §6.6), with the CN and serial of the same rows.
 */
const SPEC_6_6: Record<string, { sha256: string; cn: string; serial: string }> = {
  ark_milan: { sha256: "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd", cn: "ARK-Milan", serial: "010000" },
  ask_milan: { sha256: "67d303bd3905fd38db8b20e0793699870e7fa612eaad5dec358293fd8c0bac1b", cn: "SEV-Milan", serial: "010001" },
  asvk_milan: { sha256: "c5e081f59b7efab1fe2f8b505e159704e72f29cab7ef7cf628a05a42439082f5", cn: "SEV-VLEK-Milan", serial: "010101" },
  ark_genoa: { sha256: "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1", cn: "ARK-Genoa", serial: "020000" },
  ask_genoa: { sha256: "5464738c1546aed5f2cecf1dc98c5c960a92e8913238a61711bc90ec6e828521", cn: "SEV-Genoa", serial: "020002" },
  asvk_genoa: { sha256: "197e610743a917d6b9bb982a5a9226ccc0a15b611be0619e626aca9151457372", cn: "SEV-VLEK-Genoa", serial: "020101" },
  ark_turin: { sha256: "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a", cn: "ARK-Turin", serial: "030000" },
  ask_turin: { sha256: "5b77ef5fe7a7a004fd9032668fba9d0fda22f88c4442069a479636a6ae3b3185", cn: "SEV-Turin", serial: "030001" },
  asvk_turin: { sha256: "104e10a8bd060a3c20a434261a57d0588fd65a88915b4f65b08bdecaf8df1a3c", cn: "SEV-VLEK-Turin", serial: "030101" },
};

const sha256 = (u: Uint8Array): string => createHash("sha256").update(u).digest("hex");
const keyOf = (p: { product: string; role: string }) => `${p.role}_${p.product.toLowerCase()}`;
/** DER by node (OpenSSL's PEM reader), independent of reftrail's. */
const nodeDer = (pem: string | Buffer): Buffer => new X509Certificate(pem).raw;

describe("AMD_CERTIFICATES (pinned roots)", () => {
  it("pins exactly the 9 certificates of the spec table: ARK, ASK, ASVK for Milan, Genoa, Turin", () => {
    expect(AMD_CERTIFICATES.map(keyOf).sort()).toEqual(Object.keys(SPEC_6_6).sort());
  });

  for (const pinned of AMD_CERTIFICATES) {
    const key = keyOf(pinned);
    describe(key, () => {
      it("SHA-256 of its DER equals the spec's fingerprint, and the one pinned beside it", () => {
        const der = nodeDer(pinned.pem);
        expect(sha256(der)).toBe(SPEC_6_6[key]!.sha256);
        expect(pinned.sha256).toBe(SPEC_6_6[key]!.sha256);
        // reftrail's own PEM reader yields the same DER
        expect(certificateBlobs(Buffer.from(pinned.pem)).map(sha256)).toEqual([SPEC_6_6[key]!.sha256]);
      });

      it(`its DER equals that of test/fixtures/amd/${key}.pem`, () => {
        const committed = nodeDer(readFileSync(join(COMMITTED, "amd", `${key}.pem`)));
        expect(nodeDer(pinned.pem).equals(committed)).toBe(true);
      });

      it("names the product and role the spec's CN and serial say", () => {
        const cert = parseCertificate(new Uint8Array(nodeDer(pinned.pem)));
        expect(cert.subject.commonName).toBe(SPEC_6_6[key]!.cn);
        expect(cert.serial).toBe(SPEC_6_6[key]!.serial);
        expect(cert.issuer.commonName).toBe(`ARK-${pinned.product}`);
      });
    });
  }

  it("every pinned ARK self-verifies and signs its product's ASK and ASVK (and no other product's)", () => {
    const cert = (product: string, role: string) => {
      const p = AMD_CERTIFICATES.find((c) => c.product === product && c.role === role)!;
      return parseCertificate(new Uint8Array(nodeDer(p.pem)));
    };
    for (const product of ["Milan", "Genoa", "Turin"]) {
      const ark = cert(product, "ark");
      for (const role of ["ark", "ask", "asvk"]) {
        const c = cert(product, role);
        expect(verifyRsaPss(c.tbs, c.signature, ark.publicKey, c.signatureAlgorithm), `${product} ${role}`).toBe(true);
      }
      for (const other of ["Milan", "Genoa", "Turin"].filter((p) => p !== product)) {
        const c = cert(other, "ask");
        expect(verifyRsaPss(c.tbs, c.signature, ark.publicKey, c.signatureAlgorithm), `${product} ARK over ${other} ASK`).toBe(false);
      }
    }
  });

  it("the pinned fingerprints differ from each other (no copy-paste duplicates)", () => {
    expect(new Set(AMD_CERTIFICATES.map((c) => c.sha256)).size).toBe(9);
    expect(new Set(AMD_CERTIFICATES.map((c) => sha256(nodeDer(c.pem)))).size).toBe(9);
  });
});
