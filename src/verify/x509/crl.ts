import { DerError, TAG, children, expectTag, readBitStringBytes, readDer, readIntegerHex, readTime, readUnsigned, type Tlv } from "../../util/der.js";
import { readExtensionList, readExtensions, readName, readSignatureAlgorithm, type Name, type SignatureAlgorithm } from "./certificate.js";

/** An X.509 CRL (RFC 5280 §5), taken apart; nothing in it is trusted until its signature is checked. */
export interface Crl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: SignatureAlgorithm;
  readonly signature: Uint8Array;
  readonly issuer: Name;
  readonly thisUpdate: bigint;
  readonly nextUpdate: bigint | undefined;
  /** Revoked serial numbers (INTEGER content, hex) and when. */
  readonly revoked: ReadonlyMap<string, bigint>;
  /**
   * Critical CRL or entry extension OIDs. reftrail processes none, and such an extension can narrow
   * what the CRL covers (issuingDistributionPoint), make it a delta (deltaCRLIndicator) or name
   * another issuer for an entry (certificateIssuer), so a verifier must refuse the CRL.
   */
  readonly criticalExtensions: readonly string[];
}

const isTime = (t: Tlv | undefined) => t !== undefined && (t.tag === TAG.UTC_TIME || t.tag === TAG.GENERALIZED_TIME);

export function parseCrl(der: Uint8Array): Crl {
  const [tbsTlv, outerAlg, sigTlv, ...rest] = children(expectTag(readDer(der), TAG.SEQUENCE, "CertificateList"));
  if (rest.length) throw new DerError("CertificateList has extra fields");
  const fields = children(expectTag(tbsTlv, TAG.SEQUENCE, "TBSCertList"));
  let i = 0;
  const v2 = fields[0]?.tag === TAG.INTEGER;
  if (v2) {
    if (readUnsigned(fields[0]!) !== 1n) throw new DerError("CRL version is not v2");
    i++;
  }
  const critical: string[] = [];
  const noteCritical = (exts: ReadonlyMap<string, { critical: boolean }>) => {
    for (const [oid, e] of exts) if (e.critical) critical.push(oid);
  };
  const innerAlg = expectTag(fields[i++], TAG.SEQUENCE, "TBSCertList signature");
  if (!Buffer.from(innerAlg.bytes).equals(Buffer.from(expectTag(outerAlg, TAG.SEQUENCE, "signatureAlgorithm").bytes))) throw new DerError("the CRL's signature algorithm inside and outside the TBSCertList differ");
  const issuer = readName(fields[i++]!);
  const thisUpdate = readTime(fields[i++]!);
  const nextUpdate = isTime(fields[i]) ? readTime(fields[i++]!) : undefined;
  const revoked = new Map<string, bigint>();
  if (fields[i]?.tag === TAG.SEQUENCE) {
    const entries = children(fields[i++]!);
    // DER: an empty list is left out, not encoded empty.
    if (entries.length === 0) throw new DerError("empty revokedCertificates (DER omits it)");
    for (const entry of entries) {
      const [serial, date, entryExtensions, ...extra] = children(expectTag(entry, TAG.SEQUENCE, "revoked certificate"));
      if (extra.length) throw new DerError("revoked certificate has extra fields");
      if (entryExtensions !== undefined) {
        if (!v2) throw new DerError("a v1 CRL cannot have entry extensions");
        noteCritical(readExtensionList(expectTag(entryExtensions, TAG.SEQUENCE, "crlEntryExtensions")));
      }
      revoked.set(readIntegerHex(serial, "revoked serial"), readTime(date));
    }
  }
  if (fields[i]?.tag === 0xa0) {
    if (!v2) throw new DerError("a v1 CRL cannot have extensions");
    noteCritical(readExtensions(fields[i++]));
  }
  if (i !== fields.length) throw new DerError("unexpected TBSCertList field");
  return { der, tbs: tbsTlv!.bytes, signatureAlgorithm: readSignatureAlgorithm(outerAlg!), signature: readBitStringBytes(sigTlv!), issuer, thisUpdate, nextUpdate, revoked, criticalExtensions: critical };
}
