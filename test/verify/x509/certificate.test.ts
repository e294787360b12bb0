import { execFileSync } from "node:child_process";
import { X509Certificate, createHash, generateKeyPairSync } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DerError, children, readDer, type Tlv } from "../../../src/util/der.js";
import { certificateBlobs, parseCertificate, verifyRsaPss, type Certificate, type SignatureAlgorithm } from "../../../src/verify/x509/certificate.js";
import { COMMITTED } from "../../helpers/fixtures.js";

/**
 * Expected values come from node's X509Certificate (OpenSSL's parser), the openssl CLI
 * (`x509`, `asn1parse`), the spec's pinned-roots table (sev-snp-report.md §6.6) and
 * test/fixtures/amd/fingerprints.txt — never from reftrail's own output.
 */

const AMD = join(COMMITTED, "amd");
const REPORTS = join(COMMITTED, "snp-reports");
const hex = (u: Uint8Array): string => Buffer.from(u).toString("hex");
const sha256 = (u: Uint8Array): string => createHash("sha256").update(u).digest("hex");

interface ManifestEntry {
  readonly set: string;
  readonly signer: "VCEK" | "VLEK";
  readonly trust_chain: readonly string[];
  readonly vek_validity: string;
}
const MANIFEST = JSON.parse(readFileSync(join(REPORTS, "MANIFEST.json"), "utf8")) as ManifestEntry[];

/** DER of a certificate file (PEM or DER) via node, independent of reftrail's PEM reader. */
const nodeCert = (path: string): X509Certificate => new X509Certificate(readFileSync(path));
const derOf = (path: string): Uint8Array => new Uint8Array(nodeCert(path).raw);

function vekFile(set: string): string {
  const names = readdirSync(join(REPORTS, set)).filter((f) => /^(vcek|vlek)\.(der|pem)$/.test(f));
  expect(names).toHaveLength(1);
  return join(REPORTS, set, names[0]!);
}

/** The spec's table §6.6: CN, serial and notAfter date of every pinned AMD certificate. */
const SPEC_TABLE: Record<string, { cn: string; serial: string; notAfter: string; issuer: string }> = {
  ark_milan: { cn: "ARK-Milan", serial: "010000", notAfter: "2045-10-22", issuer: "ARK-Milan" },
  ask_milan: { cn: "SEV-Milan", serial: "010001", notAfter: "2045-10-22", issuer: "ARK-Milan" },
  asvk_milan: { cn: "SEV-VLEK-Milan", serial: "010101", notAfter: "2047-11-16", issuer: "ARK-Milan" },
  ark_genoa: { cn: "ARK-Genoa", serial: "020000", notAfter: "2047-01-26", issuer: "ARK-Genoa" },
  ask_genoa: { cn: "SEV-Genoa", serial: "020002", notAfter: "2047-10-31", issuer: "ARK-Genoa" },
  asvk_genoa: { cn: "SEV-VLEK-Genoa", serial: "020101", notAfter: "2047-11-18", issuer: "ARK-Genoa" },
  ark_turin: { cn: "ARK-Turin", serial: "030000", notAfter: "2048-05-15", issuer: "ARK-Turin" },
  ask_turin: { cn: "SEV-Turin", serial: "030001", notAfter: "2048-05-15", issuer: "ARK-Turin" },
  asvk_turin: { cn: "SEV-VLEK-Turin", serial: "030101", notAfter: "2048-05-15", issuer: "ARK-Turin" },
};

/** fingerprints.txt: name sha256 serial=... CN=... notAfter=... */
const FINGERPRINTS = new Map(
  readFileSync(join(AMD, "fingerprints.txt"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => l.split(" ") as [string, string])
    .map(([name, fp]) => [name, fp]),
);

/** CN from node's multi-line subject/issuer string. */
const nodeCn = (dn: string): string => {
  const cns = dn.split("\n").filter((l) => l.startsWith("CN="));
  expect(cns).toHaveLength(1);
  return cns[0]!.slice(3);
};

/** openssl's long names for the standard extensions these certificates carry (RFC 5280 OIDs). */
const OPENSSL_NAMES: Record<string, string> = {
  "X509v3 Key Usage": "2.5.29.15",
  "X509v3 Subject Key Identifier": "2.5.29.14",
  "X509v3 Authority Key Identifier": "2.5.29.35",
  "X509v3 Basic Constraints": "2.5.29.19",
  "X509v3 CRL Distribution Points": "2.5.29.31",
};

interface OpensslExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly valueHex: string;
}

interface Asn1Line {
  readonly offset: number;
  readonly depth: number;
  readonly hl: number;
  readonly length: number;
  readonly rest: string;
}

/** `openssl asn1parse` of a DER blob, one entry per line. */
function asn1parse(der: Uint8Array): Asn1Line[] {
  return execFileSync("openssl", ["asn1parse", "-inform", "DER"], { input: der, encoding: "utf8" })
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => {
      const m = /^\s*(\d+):d=(\d+)\s+hl=(\d+)\s+l=\s*(\d+)\s+(?:cons|prim):\s*(.*?)\s*$/.exec(l);
      if (!m) throw new Error(`unparsed: ${l}`);
      return { offset: Number(m[1]), depth: Number(m[2]), hl: Number(m[3]), length: Number(m[4]), rest: m[5]! };
    });
}

/** The TBSCertificate bytes: openssl's first element at depth 1. */
function opensslTbs(der: Uint8Array): Uint8Array {
  const line = asn1parse(der).find((l) => l.depth === 1)!;
  return der.subarray(line.offset, line.offset + line.hl + line.length);
}

/** The extensions as `openssl asn1parse` lays them out: [3] at depth 2, each Extension a SEQUENCE at depth 4. */
function opensslExtensions(der: Uint8Array): OpensslExtension[] {
  const lines = asn1parse(der);
  const start = lines.findIndex((l) => l.depth === 2 && /^cont \[ 3 \]/.test(l.rest));
  if (start < 0) return [];
  const out: { oid: string; critical: boolean; valueHex: string }[] = [];
  for (let i = start + 1; i < lines.length && lines[i]!.depth > 2; i++) {
    const { depth, rest } = lines[i]!;
    if (depth === 4) out.push({ oid: "", critical: false, valueHex: "" });
    if (depth !== 5) continue;
    const cur = out[out.length - 1]!;
    let m: RegExpExecArray | null;
    if ((m = /^OBJECT\s+:(.*)$/.exec(rest))) cur.oid = OPENSSL_NAMES[m[1]!] ?? m[1]!;
    else if ((m = /^BOOLEAN\s+:(\d+)$/.exec(rest))) cur.critical = m[1] !== "0";
    else if ((m = /^OCTET STRING\s+\[HEX DUMP\]:([0-9A-F]*)$/.exec(rest))) cur.valueHex = m[1]!.toLowerCase();
    else if ((m = /^OCTET STRING\s+:(.*)$/.exec(rest))) cur.valueHex = Buffer.from(m[1]!, "latin1").toString("hex");
    else throw new Error(`unexpected extension line: ${rest}`);
  }
  return out;
}

const PSS_SHA384: SignatureAlgorithm = { kind: "rsassa-pss", hash: "sha384", mgfHash: "sha384", saltLength: 48 };

/** Every certificate under test: the 9 pinned AMD files and every fixture VCEK/VLEK. */
const AMD_FILES = readdirSync(AMD).filter((f) => f.endsWith(".pem")).sort();
const VEKS = MANIFEST.map((m) => ({ set: m.set, file: vekFile(m.set), entry: m }));

function checkAgainstNode(path: string, cert: Certificate): void {
  const n = nodeCert(path);
  expect(cert.version).toBe(3);
  expect(cert.subject.commonName).toBe(nodeCn(n.subject));
  expect(cert.issuer.commonName).toBe(nodeCn(n.issuer));
  // node prints the serial without redundant leading zeros; the parser keeps the INTEGER content.
  expect(BigInt(`0x${cert.serial}`)).toBe(BigInt(`0x${n.serialNumber}`));
  expect(cert.notBefore).toBe(BigInt(n.validFromDate.getTime()) * 1_000_000n);
  expect(cert.notAfter).toBe(BigInt(n.validToDate.getTime()) * 1_000_000n);
  expect(cert.publicKey.asymmetricKeyType).toBe(n.publicKey.asymmetricKeyType);
  expect(cert.publicKey.asymmetricKeyDetails).toEqual(n.publicKey.asymmetricKeyDetails);
  expect(cert.publicKey.export({ type: "spki", format: "der" }).equals(n.publicKey.export({ type: "spki", format: "der" }))).toBe(true);
  expect(cert.signatureAlgorithm).toEqual(PSS_SHA384);
  // The signature bytes: node/openssl has no accessor, but the signature BIT STRING ends the DER.
  expect(hex(cert.signature)).toBe(hex(cert.der.subarray(cert.der.byteLength - cert.signature.byteLength)));
  expect(hex(cert.tbs)).toBe(hex(opensslTbs(cert.der)));
  expect(hex(cert.der)).toBe(hex(n.raw));
  const ext = opensslExtensions(cert.der);
  expect([...cert.extensions.keys()]).toEqual(ext.map((e) => e.oid));
  for (const e of ext) {
    expect(cert.extensions.get(e.oid)!.critical, e.oid).toBe(e.critical);
    expect(hex(cert.extensions.get(e.oid)!.value), e.oid).toBe(e.valueHex);
  }
}

describe("parseCertificate on the pinned AMD certificates", () => {
  it("finds all 9 files of the spec table", () => {
    expect(AMD_FILES.map((f) => f.replace(/\.pem$/, ""))).toEqual(Object.keys(SPEC_TABLE).sort());
  });

  for (const file of AMD_FILES) {
    const name = file.replace(/\.pem$/, "");
    it(`${name}: fields equal node's X509Certificate, openssl asn1parse and the spec table`, () => {
      const path = join(AMD, file);
      const der = derOf(path);
      expect(sha256(der)).toBe(FINGERPRINTS.get(name));
      const cert = parseCertificate(der);
      checkAgainstNode(path, cert);
      const row = SPEC_TABLE[name]!;
      expect(cert.subject.commonName).toBe(row.cn);
      expect(cert.issuer.commonName).toBe(row.issuer);
      expect(cert.serial).toBe(row.serial);
      expect(new Date(Number(cert.notAfter / 1_000_000n)).toISOString().slice(0, 10)).toBe(row.notAfter);
      // RSA-4096, e = 65537 (§6.2).
      expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
      expect(cert.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 4096, publicExponent: 65537n });
      // Key usage and basic constraints are critical, the CRL DP is the KDS URL (§6.2).
      expect(cert.extensions.get("2.5.29.15")?.critical).toBe(true);
      expect(cert.extensions.get("2.5.29.19")?.critical).toBe(true);
      const product = row.issuer.slice(4);
      const kind = name.startsWith("asvk") ? "vlek" : "vcek";
      expect(Buffer.from(cert.extensions.get("2.5.29.31")!.value).toString("latin1")).toContain(`https://kdsintf.amd.com/${kind}/v1/${product}/crl`);
      // Subject and issuer DER match exactly for the self-signed ARK only.
      expect(Buffer.from(cert.subject.der).equals(Buffer.from(cert.issuer.der))).toBe(name.startsWith("ark"));
    });
  }
});

describe("parseCertificate on every fixture VCEK/VLEK", () => {
  it("covers all 9 fixture sets", () => {
    expect(VEKS).toHaveLength(9);
  });

  for (const { set, file, entry } of VEKS) {
    it(`${set}: fields equal node's X509Certificate, openssl asn1parse and MANIFEST.json`, () => {
      const der = derOf(file);
      const cert = parseCertificate(der);
      checkAgainstNode(file, cert);
      expect(cert.subject.commonName).toBe(entry.signer === "VLEK" ? "SEV-VLEK" : "SEV-VCEK");
      const issuerFile = join(COMMITTED, entry.trust_chain[0]!);
      expect(cert.issuer.commonName).toBe(nodeCn(nodeCert(issuerFile).subject));
      // The issuer Name is byte-identical to the ASK/ASVK's subject Name.
      expect(hex(cert.issuer.der)).toBe(hex(parseCertificate(derOf(issuerFile)).subject.der));
      expect(cert.publicKey.asymmetricKeyType).toBe("ec");
      expect(cert.publicKey.asymmetricKeyDetails).toEqual({ namedCurve: "secp384r1" });
      expect(BigInt(`0x${cert.serial}`)).toBe(0n);
      // MANIFEST.json: "Sep 24 00:55:28 2022 GMT .. Sep 24 00:55:28 2029 GMT".
      const [from, to] = entry.vek_validity.split(" .. ").map((s) => BigInt(Date.parse(s.replace(/\s+/g, " "))) * 1_000_000n);
      expect(cert.notBefore).toBe(from);
      expect(cert.notAfter).toBe(to);
      // No KeyUsage/BasicConstraints/CRL DP on a VEK (§6.2), AMD's structVersion and productName present.
      for (const oid of ["2.5.29.15", "2.5.29.19", "2.5.29.31"]) expect(cert.extensions.has(oid)).toBe(false);
      expect(cert.extensions.has("1.3.6.1.4.1.3704.1.1")).toBe(true);
      expect(cert.extensions.has("1.3.6.1.4.1.3704.1.2")).toBe(true);
    });
  }
});

describe("verifyRsaPss", () => {
  const load = (name: string) => parseCertificate(derOf(join(AMD, `${name}.pem`)));
  const verifies = (cert: Certificate, issuer: Certificate) => verifyRsaPss(cert.tbs, cert.signature, issuer.publicKey, cert.signatureAlgorithm);

  for (const product of ["milan", "genoa", "turin"]) {
    it(`${product}: ARK self-signature, ASK and ASVK by the ARK (agreeing with node's X509Certificate.verify)`, () => {
      const ark = load(`ark_${product}`);
      const ask = load(`ask_${product}`);
      const asvk = load(`asvk_${product}`);
      expect(verifies(ark, ark)).toBe(true);
      expect(verifies(ask, ark)).toBe(true);
      expect(verifies(asvk, ark)).toBe(true);
      expect(nodeCert(join(AMD, `ask_${product}.pem`)).verify(nodeCert(join(AMD, `ark_${product}.pem`)).publicKey)).toBe(true);
      // Not signed by their own keys, nor the ARK by the ASK.
      expect(verifies(ask, ask)).toBe(false);
      expect(verifies(ark, ask)).toBe(false);
    });
  }

  it("rejects a certificate checked against another product's ARK", () => {
    expect(verifies(load("ask_milan"), load("ark_genoa"))).toBe(false);
    expect(verifies(load("ask_genoa"), load("ark_turin"))).toBe(false);
    expect(verifies(load("ark_turin"), load("ark_milan"))).toBe(false);
  });

  for (const { set, file, entry } of VEKS) {
    it(`${set}: the ${entry.signer} verifies under ${entry.trust_chain[0]} and nothing else`, () => {
      const vek = parseCertificate(derOf(file));
      const issuer = parseCertificate(derOf(join(COMMITTED, entry.trust_chain[0]!)));
      const ark = parseCertificate(derOf(join(COMMITTED, entry.trust_chain[1]!)));
      expect(verifies(vek, issuer)).toBe(true);
      expect(nodeCert(file).verify(nodeCert(join(COMMITTED, entry.trust_chain[0]!)).publicKey)).toBe(true);
      expect(verifies(vek, ark)).toBe(false);
      expect(verifies(issuer, ark)).toBe(true);
    });
  }

  it("fails for a flipped bit anywhere in the TBS or the signature", () => {
    const ark = load("ark_milan");
    for (const at of [0, 1, 4, 100, ark.tbs.byteLength >> 1, ark.tbs.byteLength - 1]) {
      for (const mask of [0x01, 0x80]) {
        const tbs = Uint8Array.from(ark.tbs);
        tbs[at]! ^= mask;
        expect(verifyRsaPss(tbs, ark.signature, ark.publicKey, ark.signatureAlgorithm)).toBe(false);
      }
    }
    for (const at of [0, 1, 255, 256, 510, 511]) {
      for (const mask of [0x01, 0x80]) {
        const sig = Uint8Array.from(ark.signature);
        sig[at]! ^= mask;
        expect(verifyRsaPss(ark.tbs, sig, ark.publicKey, ark.signatureAlgorithm)).toBe(false);
      }
    }
    expect(verifyRsaPss(ark.tbs, ark.signature, ark.publicKey, ark.signatureAlgorithm)).toBe(true);
  });

  it("fails with other PSS parameters than the ones signed with (salt 32/64/0, SHA-256/512, mixed MGF hash)", () => {
    const ark = load("ark_genoa");
    const ok = (alg: SignatureAlgorithm) => verifyRsaPss(ark.tbs, ark.signature, ark.publicKey, alg);
    expect(ok(PSS_SHA384)).toBe(true);
    expect(ok({ ...PSS_SHA384, saltLength: 32 })).toBe(false);
    expect(ok({ ...PSS_SHA384, saltLength: 64 })).toBe(false);
    expect(ok({ ...PSS_SHA384, saltLength: 0 })).toBe(false);
    expect(ok({ kind: "rsassa-pss", hash: "sha256", mgfHash: "sha256", saltLength: 48 })).toBe(false);
    expect(ok({ kind: "rsassa-pss", hash: "sha512", mgfHash: "sha512", saltLength: 48 })).toBe(false);
    expect(ok({ ...PSS_SHA384, mgfHash: "sha256" })).toBe(false);
    expect(ok({ kind: "other", oid: "1.2.840.113549.1.1.12" })).toBe(false);
  });

  it("returns false (does not throw) for a signature of the wrong length or a non-RSA key", () => {
    const ark = load("ark_milan");
    expect(verifyRsaPss(ark.tbs, ark.signature.subarray(1), ark.publicKey, PSS_SHA384)).toBe(false);
    expect(verifyRsaPss(ark.tbs, new Uint8Array(0), ark.publicKey, PSS_SHA384)).toBe(false);
    const vek = parseCertificate(derOf(VEKS[0]!.file));
    expect(verifyRsaPss(ark.tbs, ark.signature, vek.publicKey, PSS_SHA384)).toBe(false);
  });
});

describe("certificateBlobs", () => {
  const CHAINS: Record<string, [string, string]> = {
    "ask_ark_milan.pem": ["ask_milan", "ark_milan"],
    "ask_ark_genoa.pem": ["ask_genoa", "ark_genoa"],
    "ask_ark_turin_vcek.pem": ["ask_turin", "ark_turin"],
    "ask_ark_milan_vlek.pem": ["asvk_milan", "ark_milan"],
    "ask_ark_genoa_vlek.pem": ["asvk_genoa", "ark_genoa"],
    "ask_ark_turin_vlek.pem": ["asvk_turin", "ark_turin"],
  };

  it("covers every committed cert_chain bundle", () => {
    expect(readdirSync(join(AMD, "cert_chain")).sort()).toEqual(Object.keys(CHAINS).sort());
  });

  for (const [file, [first, second]] of Object.entries(CHAINS)) {
    it(`cert_chain/${file}: ${first} then ${second} (fingerprints.txt)`, () => {
      const blobs = certificateBlobs(readFileSync(join(AMD, "cert_chain", file)));
      expect(blobs.map(sha256)).toEqual([FINGERPRINTS.get(first), FINGERPRINTS.get(second)]);
      expect(parseCertificate(blobs[0]!).subject.commonName).toBe(SPEC_TABLE[first]!.cn);
      expect(parseCertificate(blobs[1]!).subject.commonName).toBe(SPEC_TABLE[second]!.cn);
    });
  }

  it("reads the fixture chain files (2 and 3 blocks) in order", () => {
    const two = certificateBlobs(readFileSync(join(REPORTS, "gosevguest_milan/ask_ark.pem")));
    expect(two.map(sha256)).toEqual([FINGERPRINTS.get("ask_milan"), FINGERPRINTS.get("ark_milan")]);
    const text = readFileSync(join(REPORTS, "azure_milan_hcl/vcek_chain.pem"), "latin1");
    const three = certificateBlobs(Buffer.from(text, "latin1"));
    expect(three).toHaveLength(3);
    // Each block's DER as node reads the block on its own.
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    expect(three.map(hex)).toEqual(pems.map((p) => hex(new X509Certificate(p).raw)));
  });

  it("returns DER input unchanged, as one blob", () => {
    const der = readFileSync(join(REPORTS, "gosevguest_milan/vcek.der"));
    const blobs = certificateBlobs(der);
    expect(blobs).toHaveLength(1);
    expect(hex(blobs[0]!)).toBe(hex(der));
  });

  it("reads a single PEM block equal to its DER, with CRLF line ends and surrounding whitespace too", () => {
    // The committed file has CRLF line ends; try it as is, with LF, and with CRLF again.
    const pem = readFileSync(join(AMD, "ark_turin.pem"), "latin1");
    expect(pem).toContain("\r\n");
    const lf = pem.replace(/\r\n/g, "\n");
    const der = hex(derOf(join(AMD, "ark_turin.pem")));
    expect(certificateBlobs(Buffer.from(pem, "latin1")).map(hex)).toEqual([der]);
    expect(certificateBlobs(Buffer.from(lf, "latin1")).map(hex)).toEqual([der]);
    expect(certificateBlobs(Buffer.from(lf.replace(/\n/g, "\r\n"), "latin1")).map(hex)).toEqual([der]);
    expect(certificateBlobs(Buffer.from(`\n\n  ${pem}\n\n`, "latin1")).map(hex)).toEqual([der]);
  });

  it("rejects text outside the PEM blocks (before, between, after)", () => {
    const ask = readFileSync(join(AMD, "ask_milan.pem"), "latin1").trim();
    const ark = readFileSync(join(AMD, "ark_milan.pem"), "latin1").trim();
    for (const text of [`junk\n${ask}\n`, `${ask}\njunk\n`, `${ask}\nsubject=CN = SEV-Milan\n${ark}\n`, `Certificate:\n    Data:\n${ask}`]) {
      expect(() => certificateBlobs(Buffer.from(text, "latin1"))).toThrow(DerError);
    }
    // the same blocks without the junk are accepted
    expect(certificateBlobs(Buffer.from(`${ask}\n${ark}\n`, "latin1"))).toHaveLength(2);
  });

  it("rejects a PEM PRIVATE KEY (or PUBLIC KEY) block", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    expect(() => certificateBlobs(Buffer.from(keyPem))).toThrow(/PRIVATE KEY/);
    expect(() => certificateBlobs(Buffer.from(keyPem))).toThrow(DerError);
    const ask = readFileSync(join(AMD, "ask_milan.pem"), "latin1");
    expect(() => certificateBlobs(Buffer.from(`${ask}${keyPem}`))).toThrow(DerError);
    expect(() => certificateBlobs(Buffer.from(publicKey.export({ type: "spki", format: "pem" }) as string))).toThrow(DerError);
  });

  it("rejects a block whose END label differs or that is never closed", () => {
    const ask = readFileSync(join(AMD, "ask_milan.pem"), "latin1");
    expect(() => certificateBlobs(Buffer.from(ask.replace("END CERTIFICATE", "END X509 CRL")))).toThrow(DerError);
    expect(() => certificateBlobs(Buffer.from(ask.replace("-----END CERTIFICATE-----", "")))).toThrow(DerError);
  });

  it("takes only blocks of the expected label: a certificate labelled X509 CRL is refused, and the reverse", () => {
    const ask = readFileSync(join(AMD, "ask_milan.pem"), "latin1");
    const asCrl = ask.replaceAll("CERTIFICATE", "X509 CRL");
    expect(() => certificateBlobs(Buffer.from(asCrl))).toThrow(/a PEM X509 CRL block where a CERTIFICATE was expected/);
    expect(certificateBlobs(Buffer.from(asCrl), "X509 CRL")).toHaveLength(1);
    expect(() => certificateBlobs(Buffer.from(ask), "X509 CRL")).toThrow(/a PEM CERTIFICATE block where an X509 CRL was expected/);
  });

  it("refuses base64 that is not canonical: data after the padding, padding inside, non-zero unused bits", () => {
    // ARK-Milan's base64 ends in '==' (its last line is "AFZEAwoKCQ==").
    const ark = readFileSync(join(AMD, "ark_milan.pem"), "latin1");
    const body = /-----BEGIN CERTIFICATE-----\n([\s\S]+?)-----END CERTIFICATE-----/.exec(ark)![1]!;
    const wrap = (b: string) => Buffer.from(`-----BEGIN CERTIFICATE-----\n${b}-----END CERTIFICATE-----\n`);
    // The genuine body round-trips: node's decoder and encoder agree with the file.
    expect(Buffer.from(certificateBlobs(wrap(body))[0]!).toString("base64")).toBe(body.replace(/\n/g, ""));
    // node's decoder stops at '=' and would drop what follows; reftrail refuses it.
    expect(Buffer.from(`${body.replace(/\n/g, "")}AAAA`, "base64").byteLength).toBeGreaterThan(0);
    expect(body.endsWith("==\n")).toBe(true);
    expect(() => certificateBlobs(wrap(`${body}AAAA\n`))).toThrow(/not canonical base64/);
    expect(() => certificateBlobs(wrap(`AA==${body}`))).toThrow(/not canonical base64/);
    // Non-zero bits in the last character's unused part decode to the same bytes; the re-encoding differs.
    const lines = body.trimEnd().split("\n");
    const last = lines[lines.length - 1]!;
    expect(last).toBe("AFZEAwoKCQ==");
    // 'Q' = 010000: with '==' only its top 2 bits are data; 'R' = 010001 decodes to the same bytes.
    lines[lines.length - 1] = "AFZEAwoKCR==";
    expect(Buffer.from(`${lines.join("")}`, "base64").equals(Buffer.from(body.replace(/\n/g, ""), "base64"))).toBe(true);
    expect(() => certificateBlobs(wrap(`${lines.join("\n")}\n`))).toThrow(/not canonical base64/);
  });
});

describe("parseCertificate rejects malformed input", () => {
  const arkDer = derOf(join(AMD, "ark_milan.pem"));
  const ark = parseCertificate(arkDer);

  it("throws a DerError for every truncation of the ARK-Milan DER", () => {
    for (let n = 0; n < arkDer.byteLength; n++) expect(() => parseCertificate(arkDer.subarray(0, n)), `length ${n}`).toThrow(DerError);
  });

  it("throws a DerError when bytes are appended", () => {
    for (const extra of [[0x00], [0x05, 0x00], [0xff, 0xff]]) expect(() => parseCertificate(Uint8Array.from([...arkDer, ...extra]))).toThrow(DerError);
  });

  it("never yields a verifying certificate after a one-bit flip at any position (bit 0 and bit 7)", () => {
    let threw = 0;
    let parsed = 0;
    for (let at = 0; at < arkDer.byteLength; at++) {
      for (const mask of [0x01, 0x80]) {
        const der = Uint8Array.from(arkDer);
        der[at]! ^= mask;
        let cert: Certificate;
        try {
          cert = parseCertificate(der);
        } catch (err) {
          expect(err, `offset ${at} mask ${mask}`).toBeInstanceOf(DerError);
          threw++;
          continue;
        }
        parsed++;
        // Whatever parsed must not verify: neither self-signed nor under the genuine ARK key.
        expect(verifyRsaPss(cert.tbs, cert.signature, cert.publicKey, cert.signatureAlgorithm), `offset ${at} mask ${mask}`).toBe(false);
        expect(verifyRsaPss(cert.tbs, cert.signature, ark.publicKey, cert.signatureAlgorithm), `offset ${at} mask ${mask}`).toBe(false);
      }
    }
    expect(threw).toBeGreaterThan(0);
    expect(parsed).toBeGreaterThan(0);
    expect(threw + parsed).toBe(arkDer.byteLength * 2);
  });

  /** Re-encodes a SEQUENCE around the given elements (short or two-byte long-form lengths). */
  const seq = (...parts: Uint8Array[]): Uint8Array => {
    const body = Buffer.concat(parts);
    const n = body.byteLength;
    const head = n < 0x80 ? [0x30, n] : n < 0x100 ? [0x30, 0x81, n] : [0x30, 0x82, n >> 8, n & 0xff];
    return Uint8Array.from([...head, ...body]);
  };
  const [tbs, alg, sig] = children(readDer(arkDer)) as [ReturnType<typeof readDer>, ReturnType<typeof readDer>, ReturnType<typeof readDer>];
  const tbsFields = children(tbs);

  it("rebuilding the ARK from its parts is the identity (sanity check of the test encoder)", () => {
    expect(hex(seq(seq(...tbsFields.map((f) => f.bytes)), alg.bytes, sig.bytes))).toBe(hex(arkDer));
  });

  it("throws a DerError (not a TypeError) for a Certificate without signatureAlgorithm and signature", () => {
    expect(() => parseCertificate(seq(tbs.bytes))).toThrow(DerError);
    expect(() => parseCertificate(seq(tbs.bytes, alg.bytes))).toThrow(DerError);
    expect(() => parseCertificate(seq())).toThrow(DerError);
  });

  it("throws a DerError for an extra field after the signature", () => {
    expect(() => parseCertificate(seq(tbs.bytes, alg.bytes, sig.bytes, Uint8Array.of(0x05, 0x00)))).toThrow(/extra fields/);
  });

  it("throws a DerError (not a TypeError) for an empty or one-element Validity", () => {
    // TBS fields: [0] version, serial, signature, issuer, validity, subject, spki, [3] extensions
    expect(tbsFields[4]!.tag).toBe(0x30);
    const withValidity = (validity: Uint8Array) => seq(seq(...tbsFields.map((f, i) => (i === 4 ? validity : f.bytes))), alg.bytes, sig.bytes);
    expect(() => parseCertificate(withValidity(seq()))).toThrow(DerError);
    expect(() => parseCertificate(withValidity(seq(children(tbsFields[4]!)[0]!.bytes)))).toThrow(DerError);
  });

  it("throws a DerError when TBS fields are missing", () => {
    for (let keep = 0; keep < tbsFields.length - 1; keep++) {
      expect(() => parseCertificate(seq(seq(...tbsFields.slice(0, keep).map((f) => f.bytes)), alg.bytes, sig.bytes)), `keep ${keep}`).toThrow(DerError);
    }
  });

  it("throws a DerError when the inner and outer signature algorithms differ", () => {
    // Outer algorithm with salt 0x20 instead of 0x30: flip one byte of the outer AlgorithmIdentifier copy.
    const outer = Uint8Array.from(alg.bytes);
    const saltAt = hex(outer).indexOf("a203020130") / 2 + 4;
    expect(outer[saltAt]).toBe(0x30);
    outer[saltAt] = 0x20;
    expect(() => parseCertificate(seq(tbs.bytes, outer, sig.bytes))).toThrow(/differ/);
  });

  it("throws a DerError for a signature BIT STRING with unused bits", () => {
    const bad = Uint8Array.from(sig.bytes);
    bad[4] = 0x01; // header 03 82 02 01, then the unused-bits octet
    expect(() => parseCertificate(seq(tbs.bytes, alg.bytes, bad))).toThrow(/unused bits/);
  });
});

describe("parseCertificate enforces DER's X.509 structure rules", () => {
  // The ARK-Milan taken apart; each case rebuilds it with one structural change. The signature no
  // longer matches, but these are parse-time refusals, before any signature is looked at.
  const arkDer = derOf(join(AMD, "ark_milan.pem"));
  const [tbs, alg, sig] = children(readDer(arkDer)) as [Tlv, Tlv, Tlv];
  const fields = children(tbs);
  /** Any tag with a definite length (short or long form up to 65535). */
  const tlv = (tag: number, ...parts: Uint8Array[]): Uint8Array => {
    const body = Buffer.concat(parts);
    const n = body.byteLength;
    const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
    return Uint8Array.from([...head, ...body]);
  };
  const bytes = (...b: number[]) => Uint8Array.from(b);
  const cert = (tbsParts: Uint8Array[], outerAlg: Uint8Array = alg.bytes) => tlv(0x30, tlv(0x30, ...tbsParts), outerAlg, sig.bytes);
  const [versionField, serial, innerAlg, issuer, validity, subject, spki, extensionsField] = fields as [Tlv, Tlv, Tlv, Tlv, Tlv, Tlv, Tlv, Tlv];
  const body = [serial, innerAlg, issuer, validity, subject, spki].map((f) => f.bytes);
  const version = (n: number) => tlv(0xa0, bytes(0x02, 0x01, n));
  const extensionList = children(children(extensionsField)[0]!).map((e) => e.bytes);
  const extensions = (...list: Uint8Array[]) => tlv(0xa3, tlv(0x30, ...list));
  const oidNull = (oid: number[], ...extra: Uint8Array[]) => tlv(0x30, tlv(0x06, bytes(...oid)), ...extra, tlv(0x04, bytes(0x05, 0x00)));

  it("the rebuilt ARK parses when nothing is changed (sanity check of the encoder)", () => {
    expect(versionField.tag).toBe(0xa0);
    expect(extensionsField.tag).toBe(0xa3);
    expect(hex(cert([versionField.bytes, ...body, extensions(...extensionList)]))).toBe(hex(arkDer));
    expect(parseCertificate(cert([versionField.bytes, ...body, extensions(...extensionList)])).version).toBe(3);
  });

  it("refuses an encoded v1 (the DEFAULT), unknown versions and a version field holding two values", () => {
    expect(() => parseCertificate(cert([version(0), ...body]))).toThrow(/version value 0/);
    expect(() => parseCertificate(cert([version(3), ...body, extensionsField.bytes]))).toThrow(/version value 3/);
    expect(() => parseCertificate(cert([version(0x7f), ...body, extensionsField.bytes]))).toThrow(/version value 127/);
    expect(() => parseCertificate(cert([tlv(0xa0, bytes(0x02, 0x01, 0x02, 0x02, 0x01, 0x02)), ...body, extensionsField.bytes]))).toThrow(/one INTEGER/);
    expect(() => parseCertificate(cert([tlv(0xa0), ...body, extensionsField.bytes]))).toThrow(DerError);
  });

  it("accepts a v1 certificate without extensions and a v2 one, and reports their versions", () => {
    expect(parseCertificate(cert(body)).version).toBe(1);
    expect(parseCertificate(cert([version(1), ...body])).version).toBe(2);
    expect(parseCertificate(cert([version(1), ...body, tlv(0x81, bytes(0x00, 0x01))])).version).toBe(2);
  });

  it("refuses extensions in a v1 or v2 certificate, and unique ids in a v1 certificate", () => {
    expect(() => parseCertificate(cert([...body, extensionsField.bytes]))).toThrow(/v1 certificate cannot have field 0xa3/);
    expect(() => parseCertificate(cert([version(1), ...body, extensionsField.bytes]))).toThrow(/v2 certificate cannot have field 0xa3/);
    expect(() => parseCertificate(cert([...body, tlv(0x81, bytes(0x00, 0x01))]))).toThrow(/v1 certificate cannot have field 0x81/);
  });

  it("refuses a repeated or out-of-order optional field", () => {
    expect(() => parseCertificate(cert([versionField.bytes, ...body, extensionsField.bytes, extensionsField.bytes]))).toThrow(/unexpected TBSCertificate field 0xa3/);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, extensionsField.bytes, tlv(0x81, bytes(0x00, 0x01))]))).toThrow(/unexpected TBSCertificate field 0x81/);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, tlv(0x82, bytes(0x00)), tlv(0x81, bytes(0x00))]))).toThrow(/unexpected TBSCertificate field 0x81/);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, tlv(0xa4, bytes())]))).toThrow(/unexpected TBSCertificate field 0xa4/);
  });

  it("refuses an empty extension list, [3] holding two lists, and an extension with extra fields", () => {
    expect(() => parseCertificate(cert([versionField.bytes, ...body, extensions()]))).toThrow(/empty extensions/);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, tlv(0xa3, tlv(0x30, ...extensionList), tlv(0x30, ...extensionList))]))).toThrow(/one SEQUENCE/);
    // 1.2.3.4 = 2a 03 04 with a NULL in an OCTET STRING; then the same with an INTEGER wedged in.
    expect(parseCertificate(cert([versionField.bytes, ...body, extensions(...extensionList, oidNull([0x2a, 0x03, 0x04]))])).extensions.get("1.2.3.4")?.critical).toBe(false);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, extensions(...extensionList, oidNull([0x2a, 0x03, 0x04], bytes(0x01, 0x01, 0xff), bytes(0x02, 0x01, 0x00)))]))).toThrow(/extra fields/);
  });

  it("refuses an explicitly encoded critical FALSE (the DEFAULT), a non-DER TRUE and a repeated extension", () => {
    expect(parseCertificate(cert([versionField.bytes, ...body, extensions(...extensionList, oidNull([0x2a, 0x03, 0x04], bytes(0x01, 0x01, 0xff)))])).extensions.get("1.2.3.4")?.critical).toBe(true);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, extensions(...extensionList, oidNull([0x2a, 0x03, 0x04], bytes(0x01, 0x01, 0x00)))]))).toThrow(/DER TRUE/);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, extensions(...extensionList, oidNull([0x2a, 0x03, 0x04], bytes(0x01, 0x01, 0x01)))]))).toThrow(/DER TRUE/);
    expect(() => parseCertificate(cert([versionField.bytes, ...body, extensions(...extensionList, extensionList[0]!)]))).toThrow(/appears twice/);
  });

  it("refuses a non-minimal or empty serial number", () => {
    expect(serial.tag).toBe(0x02);
    const rest = [innerAlg, issuer, validity, subject, spki].map((f) => f.bytes);
    expect(parseCertificate(cert([versionField.bytes, bytes(0x02, 0x01, 0x00), ...rest, extensionsField.bytes])).serial).toBe("00");
    expect(() => parseCertificate(cert([versionField.bytes, bytes(0x02, 0x02, 0x00, 0x01), ...rest, extensionsField.bytes]))).toThrow(/serialNumber is a non-minimal INTEGER/);
    expect(() => parseCertificate(cert([versionField.bytes, bytes(0x02, 0x02, 0xff, 0x80), ...rest, extensionsField.bytes]))).toThrow(/non-minimal/);
    expect(() => parseCertificate(cert([versionField.bytes, bytes(0x02, 0x00), ...rest, extensionsField.bytes]))).toThrow(/empty INTEGER/);
  });

  it("refuses a negative serial and one longer than 20 octets (RFC 5280 §4.1.2.2); 20 octets, or 21 with a sign octet, pass", () => {
    const rest = [innerAlg, issuer, validity, subject, spki].map((f) => f.bytes);
    const withSerial = (content: number[]) => cert([versionField.bytes, Uint8Array.of(0x02, content.length, ...content), ...rest, extensionsField.bytes]);
    expect(() => parseCertificate(withSerial([0x80]))).toThrow(/serialNumber is negative/);
    expect(() => parseCertificate(withSerial([0xff, 0x00]))).toThrow(/serialNumber is negative/);
    expect(() => parseCertificate(withSerial(Array.from({ length: 21 }, (_, i) => i + 1)))).toThrow(/longer than 20 octets/);
    expect(parseCertificate(withSerial(Array.from({ length: 20 }, (_, i) => i + 1))).serial).toHaveLength(40);
    expect(parseCertificate(withSerial([0x00, ...Array.from({ length: 20 }, () => 0xff)])).serial).toHaveLength(42);
  });

  it("refuses RDN sets out of DER order or empty, and any string attribute outside its character set", () => {
    const rest = [validity, subject, spki].map((f) => f.bytes);
    const withIssuer = (name: Uint8Array) => cert([versionField.bytes, serial.bytes, innerAlg.bytes, name, ...rest, extensionsField.bytes]);
    const atv = (oidLast: number, tag: number, text: string) => tlv(0x30, bytes(0x06, 0x03, 0x55, 0x04, oidLast), tlv(tag, new Uint8Array(Buffer.from(text, "latin1"))));
    const cn = atv(0x03, 0x0c, "x");
    const o = atv(0x0a, 0x13, "AMD");
    // One RDN holding CN and O: DER sorts the SET by encoding (CN's 55 04 03 sorts before O's 55 04 0a).
    expect(parseCertificate(withIssuer(tlv(0x30, tlv(0x31, cn, o)))).issuer.commonName).toBe("x");
    expect(() => parseCertificate(withIssuer(tlv(0x30, tlv(0x31, o, cn))))).toThrow(/not in DER order/);
    expect(() => parseCertificate(withIssuer(tlv(0x30, tlv(0x31))))).toThrow(/empty RelativeDistinguishedName/);
    // An O that is a PrintableString with '@' (outside the set), not the CN.
    expect(() => parseCertificate(withIssuer(tlv(0x30, tlv(0x31, cn), tlv(0x31, atv(0x0a, 0x13, "A@MD")))))).toThrow(/PrintableString/);
    // A CN that is not a string at all.
    expect(() => parseCertificate(withIssuer(tlv(0x30, tlv(0x31, tlv(0x30, bytes(0x06, 0x03, 0x55, 0x04, 0x03), bytes(0x02, 0x01, 0x05))))))).toThrow(/common name is not a string/);
  });

  it("refuses a PSS hash AlgorithmIdentifier with a third element or a NULL with content", () => {
    const [oid, params] = children(alg) as [Tlv, Tlv];
    const [hashField, ...others] = children(params);
    const [hashAlg] = children(hashField!) as [Tlv];
    const [hashOid] = children(hashAlg) as [Tlv];
    const withHash = (...parts: Uint8Array[]) => {
      const a = tlv(0x30, oid.bytes, tlv(0x30, tlv(0xa0, tlv(0x30, hashOid.bytes, ...parts)), ...others.map((f) => f.bytes)));
      return cert([versionField.bytes, serial.bytes, a, issuer.bytes, validity.bytes, subject.bytes, spki.bytes, extensionsField.bytes], a);
    };
    expect(parseCertificate(withHash(bytes(0x05, 0x00))).signatureAlgorithm).toEqual(PSS_SHA384);
    expect(parseCertificate(withHash()).signatureAlgorithm).toEqual(PSS_SHA384);
    expect(() => parseCertificate(withHash(bytes(0x05, 0x00), bytes(0x05, 0x00)))).toThrow(/has parameters/);
    expect(() => parseCertificate(withHash(bytes(0x05, 0x01, 0x00)))).toThrow(/has parameters/);
  });

  it("refuses a Validity with a third time and an AttributeTypeAndValue with a third element", () => {
    const [nb, na] = children(validity);
    const withValidity = tlv(0x30, nb!.bytes, na!.bytes, na!.bytes);
    expect(() => parseCertificate(cert([versionField.bytes, serial.bytes, innerAlg.bytes, issuer.bytes, withValidity, subject.bytes, spki.bytes, extensionsField.bytes]))).toThrow(/validity has extra fields/);
    // CN=x with a stray NULL after the value.
    const oddName = tlv(0x30, tlv(0x31, tlv(0x30, bytes(0x06, 0x03, 0x55, 0x04, 0x03), bytes(0x0c, 0x01, 0x78), bytes(0x05, 0x00))));
    expect(() => parseCertificate(cert([versionField.bytes, serial.bytes, innerAlg.bytes, oddName, validity.bytes, subject.bytes, spki.bytes, extensionsField.bytes]))).toThrow(/type and a value/);
  });

  it("refuses RSASSA-PSS parameters out of order, repeated, or with two values in one field", () => {
    // The ARK's parameters: [0] SHA-384, [1] MGF1-SHA-384, [2] salt 48 (and perhaps [3] trailer).
    const [oid, params] = children(alg) as [Tlv, Tlv];
    const p = children(params).map((f) => f.bytes);
    const withParams = (...parts: Uint8Array[]) => {
      const a = tlv(0x30, oid.bytes, tlv(0x30, ...parts));
      return cert([versionField.bytes, serial.bytes, a, issuer.bytes, validity.bytes, subject.bytes, spki.bytes, extensionsField.bytes], a);
    };
    expect(parseCertificate(withParams(...p)).signatureAlgorithm).toEqual(PSS_SHA384);
    expect(() => parseCertificate(withParams(p[1]!, p[0]!, p[2]!))).toThrow(/out of order or repeated/);
    expect(() => parseCertificate(withParams(p[0]!, p[1]!, p[2]!, p[2]!))).toThrow(/out of order or repeated/);
    expect(() => parseCertificate(withParams(p[0]!, p[1]!, tlv(0xa2, bytes(0x02, 0x01, 0x30), bytes(0x02, 0x01, 0x20))))).toThrow(/must hold one value/);
  });
});
