import { constants, createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { BoundedCache } from "../../util/bounded-cache.js";
import { DerError, TAG, children, expectTag, readBitStringBytes, readDer, readIntegerHex, readOid, readString, readTime, readUnsigned, type Tlv } from "../../util/der.js";

/** Hash functions by their OID (NIST SHA-2). */
const HASHES: Readonly<Record<string, "sha256" | "sha384" | "sha512">> = {
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";
const COMMON_NAME = "2.5.4.3";

export type SignatureAlgorithm =
  | { readonly kind: "rsassa-pss"; readonly hash: string; readonly mgfHash: string; readonly saltLength: number }
  | { readonly kind: "other"; readonly oid: string };

export interface Name {
  /** The subject/issuer common name, if exactly one is present. */
  readonly commonName: string | undefined;
  /** The DER of the Name, for exact issuer/subject comparison. */
  readonly der: Uint8Array;
}

export interface Extension {
  readonly critical: boolean;
  /** The extnValue OCTET STRING's content. */
  readonly value: Uint8Array;
}

/** An X.509 v3 certificate, taken apart; nothing in it is trusted yet. */
export interface Certificate {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly version: number;
  /** The serial number's INTEGER content, hex. */
  readonly serial: string;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly subject: Name;
  /** Validity, ns since the epoch, both inclusive. */
  readonly notBefore: bigint;
  readonly notAfter: bigint;
  readonly publicKey: KeyObject;
  readonly extensions: ReadonlyMap<string, Extension>;
}

function hashOf(alg: Tlv | undefined, what: string): string {
  const [oid, params, ...extra] = children(expectTag(alg, TAG.SEQUENCE, what));
  const name = HASHES[readOid(oid!)];
  if (name === undefined) throw new DerError(`${what} is not SHA-256/384/512`);
  if (extra.length || (params !== undefined && (params.tag !== TAG.NULL || params.content.byteLength !== 0))) throw new DerError(`${what} has parameters`);
  return name;
}

/** AlgorithmIdentifier; RSASSA-PSS parameters decoded (RFC 4055 defaults are SHA-1, so they must be explicit here). */
export function readSignatureAlgorithm(tlv: Tlv): SignatureAlgorithm {
  const [oidTlv, params] = children(expectTag(tlv, TAG.SEQUENCE, "signature algorithm"));
  const oid = readOid(oidTlv!);
  if (oid !== RSASSA_PSS) return { kind: "other", oid };
  let hash = "sha1";
  let mgfHash = "sha1";
  let saltLength = 20;
  let lastTag = 0;
  for (const field of children(expectTag(params, TAG.SEQUENCE, "RSASSA-PSS parameters"))) {
    // DER: each field at most once, in tag order; one explicit value inside each.
    if (field.tag <= lastTag) throw new DerError("RSASSA-PSS parameters out of order or repeated");
    lastTag = field.tag;
    const [inner, ...extra] = children(field);
    if (inner === undefined || extra.length) throw new DerError(`RSASSA-PSS parameter [${field.tag & 0x1f}] must hold one value`);
    switch (field.tag) {
      case 0xa0:
        hash = hashOf(inner, "PSS hash algorithm");
        break;
      case 0xa1: {
        const [mgfOid, mgfParams, ...more] = children(expectTag(inner, TAG.SEQUENCE, "PSS mask generation"));
        if (more.length) throw new DerError("PSS mask generation has extra fields");
        if (readOid(mgfOid!) !== MGF1) throw new DerError("PSS mask generation is not MGF1");
        mgfHash = hashOf(mgfParams, "MGF1 hash algorithm");
        break;
      }
      case 0xa2:
        saltLength = Number(readUnsigned(inner));
        break;
      case 0xa3:
        if (readUnsigned(inner) !== 1n) throw new DerError("PSS trailer field is not 1");
        break;
      default:
        throw new DerError(`unknown RSASSA-PSS parameter [${field.tag & 0x1f}]`);
    }
  }
  return { kind: "rsassa-pss", hash, mgfHash, saltLength };
}

const STRING_TAGS: ReadonlySet<number> = new Set([TAG.UTF8_STRING, TAG.PRINTABLE_STRING, TAG.IA5_STRING]);

/** DER SET OF: elements in ascending order of their encodings (X.690 §11.6). */
function assertSetOrder(elements: readonly Tlv[], what: string): void {
  for (let i = 1; i < elements.length; i++) {
    if (Buffer.compare(Buffer.from(elements[i - 1]!.bytes), Buffer.from(elements[i]!.bytes)) > 0) throw new DerError(`${what} is not in DER order`);
  }
}

export function readName(tlv: Tlv): Name {
  const names: string[] = [];
  for (const rdn of children(expectTag(tlv, TAG.SEQUENCE, "Name"))) {
    const atvs = children(expectTag(rdn, TAG.SET, "RelativeDistinguishedName"));
    if (atvs.length === 0) throw new DerError("empty RelativeDistinguishedName");
    assertSetOrder(atvs, "RelativeDistinguishedName");
    for (const atv of atvs) {
      const [type, value, ...extra] = children(expectTag(atv, TAG.SEQUENCE, "AttributeTypeAndValue"));
      if (value === undefined || extra.length) throw new DerError("AttributeTypeAndValue must hold a type and a value");
      const oid = readOid(type!);
      // Every string value is checked against its type's character set, not only the CN.
      const text = STRING_TAGS.has(value.tag) ? readString(value) : undefined;
      if (oid === COMMON_NAME) {
        if (text === undefined) throw new DerError("the common name is not a string");
        names.push(text);
      }
    }
  }
  return { commonName: names.length === 1 ? names[0] : undefined, der: tlv.bytes };
}

/** An [n] EXPLICIT Extensions field (certificate [3], CRL [0]); duplicate OIDs refused. */
export function readExtensions(tlv: Tlv | undefined): Map<string, Extension> {
  const map = new Map<string, Extension>();
  if (tlv === undefined) return map;
  const [list, ...extra] = children(tlv);
  if (extra.length) throw new DerError("extensions must be one SEQUENCE");
  const all = readExtensionList(expectTag(list, TAG.SEQUENCE, "extensions"));
  return all;
}

/** A SEQUENCE OF Extension. */
export function readExtensionList(list: Tlv): Map<string, Extension> {
  const map = new Map<string, Extension>();
  const all = children(list);
  if (all.length === 0) throw new DerError("empty extensions SEQUENCE");
  for (const ext of all) {
    const parts = children(expectTag(ext, TAG.SEQUENCE, "extension"));
    const oid = readOid(expectTag(parts[0], TAG.OID, "extension id"));
    let critical = false;
    let valueTlv = parts[1];
    if (valueTlv?.tag === TAG.BOOLEAN) {
      if (valueTlv.content.byteLength !== 1 || valueTlv.content[0] !== 0xff) throw new DerError("critical must be a DER TRUE when present");
      critical = true;
      valueTlv = parts[2];
    }
    if (parts.length !== (critical ? 3 : 2)) throw new DerError(`extension ${oid} has extra fields`);
    const value = expectTag(valueTlv, TAG.OCTET_STRING, `extension ${oid} value`).content;
    if (map.has(oid)) throw new DerError(`extension ${oid} appears twice`);
    map.set(oid, { critical, value });
  }
  return map;
}

/** Parses a DER certificate. Throws DerError on anything malformed. */
export function parseCertificate(der: Uint8Array): Certificate {
  return PARSED.getOrCompute(createHash("sha256").update(der).digest("hex"), () => Object.freeze(parseCertificateDer(der)));
}

/**
 * Certificates parsed, by the SHA-256 of their DER: a verifier sees the same VCEK (and AMD's pinned
 * certificates) for every report from one machine, and parsing imports a public key each time.
 */
const PARSED = new BoundedCache<string, Certificate>(64);

function parseCertificateDer(der: Uint8Array): Certificate {
  const [tbsTlv, outerAlg, sigTlv, ...rest] = children(expectTag(readDer(der), TAG.SEQUENCE, "Certificate"));
  if (rest.length) throw new DerError("Certificate has extra fields");
  const tbsFields = children(expectTag(tbsTlv, TAG.SEQUENCE, "TBSCertificate"));
  let i = 0;
  let version = 1;
  if (tbsFields[0]?.tag === 0xa0) {
    const [v, ...extra] = children(tbsFields[0]);
    if (v === undefined || extra.length) throw new DerError("version must hold one INTEGER");
    const n = readUnsigned(v);
    // v1 is the DEFAULT and so is never encoded in DER; only v2 (1) and v3 (2) exist.
    if (n !== 1n && n !== 2n) throw new DerError(`X.509 version value ${n} (expected 1 for v2 or 2 for v3)`);
    version = Number(n) + 1;
    i = 1;
  }
  const serial = readIntegerHex(tbsFields[i++], "serialNumber");
  // RFC 5280 §4.1.2.2: non-negative (AMD's VCEKs use 0) and at most 20 octets.
  if (Number.parseInt(serial.slice(0, 2), 16) & 0x80) throw new DerError("serialNumber is negative");
  if (serial.length > 2 * 20 + (serial.startsWith("00") ? 2 : 0)) throw new DerError("serialNumber is longer than 20 octets");
  const innerAlg = tbsFields[i++]!;
  const issuer = readName(tbsFields[i++]!);
  const [notBefore, notAfter, ...validityExtra] = children(expectTag(tbsFields[i++], TAG.SEQUENCE, "validity"));
  if (validityExtra.length) throw new DerError("validity has extra fields");
  const subject = readName(tbsFields[i++]!);
  const spki = expectTag(tbsFields[i++], TAG.SEQUENCE, "subjectPublicKeyInfo");
  let extensions: Tlv | undefined;
  // issuerUniqueID [1], subjectUniqueID [2] (v2+), extensions [3] (v3 only): each at most once, in order.
  const optional = [0x81, 0x82, 0xa3];
  for (let last = -1; i < tbsFields.length; i++) {
    const f = tbsFields[i]!;
    const at = optional.indexOf(f.tag);
    if (at <= last) throw new DerError(`unexpected TBSCertificate field 0x${f.tag.toString(16)}`);
    last = at;
    if (version < 2 || (f.tag === 0xa3 && version < 3)) throw new DerError(`a v${version} certificate cannot have field 0x${f.tag.toString(16)}`);
    if (f.tag === 0xa3) extensions = f;
  }
  if (!Buffer.from(innerAlg.bytes).equals(Buffer.from(expectTag(outerAlg, TAG.SEQUENCE, "signatureAlgorithm").bytes))) throw new DerError("the signature algorithm inside and outside the TBSCertificate differ");
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(spki.bytes), format: "der", type: "spki" });
  } catch {
    throw new DerError("subjectPublicKeyInfo is not a supported public key");
  }
  return {
    der,
    tbs: tbsTlv!.bytes,
    version,
    serial,
    signatureAlgorithm: readSignatureAlgorithm(outerAlg!),
    signature: readBitStringBytes(sigTlv!),
    issuer,
    subject,
    notBefore: readTime(notBefore!),
    notAfter: readTime(notAfter!),
    publicKey,
    extensions: readExtensions(extensions),
  };
}

/** True iff `signature` is an RSASSA-PSS signature by `key` over `data` with the given parameters (MGF1 hash = message hash). */
export function verifyRsaPss(data: Uint8Array, signature: Uint8Array, key: KeyObject, alg: SignatureAlgorithm): boolean {
  if (alg.kind !== "rsassa-pss" || alg.mgfHash !== alg.hash) return false;
  try {
    return verify(alg.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: alg.saltLength }, signature);
  } catch {
    return false;
  }
}

/**
 * PEM (one or more blocks labelled `label`) or DER, as DER blobs in order. The base64 must be
 * canonical (padding only at the end, re-encoding gives it back), so that nothing can hide in a
 * PEM file that another reader would see differently.
 */
export function certificateBlobs(bytes: Uint8Array, label: "CERTIFICATE" | "X509 CRL" = "CERTIFICATE"): Uint8Array[] {
  const text = Buffer.from(bytes).toString("latin1");
  if (!text.includes("-----BEGIN")) return [bytes];
  const block = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END \1-----/g;
  const blocks = [...text.matchAll(block)];
  const rest = text.replace(block, "").trim();
  if (rest.length) throw new DerError("text outside the PEM blocks");
  return blocks.map((b) => {
    if (b[1] !== label) throw new DerError(`a PEM ${b[1]} block where ${label === "CERTIFICATE" ? "a CERTIFICATE" : "an X509 CRL"} was expected`);
    const base64 = b[2]!.replace(/\r?\n/g, "");
    const der = Buffer.from(base64, "base64");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || der.toString("base64") !== base64) throw new DerError(`the PEM ${label} block is not canonical base64`);
    return new Uint8Array(der);
  });
}
