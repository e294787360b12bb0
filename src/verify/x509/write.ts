import { constants, sign, type KeyObject } from "node:crypto";
import { bitString, boolean, explicit, integer, nul, octetString, oid, sequence, set, time, utf8String } from "../../util/der-writer.js";

/**
 * Writes X.509 v3 certificates signed the way AMD signs its SEV-SNP chain (RSASSA-PSS, SHA-384,
 * MGF1-SHA-384, salt 48), so that reftrail can make a hierarchy for tests and demonstrations
 * without the openssl CLI. Nothing here decides what is trusted.
 */

const RSASSA_PSS = "1.2.840.113549.1.1.10";
const MGF1 = "1.2.840.113549.1.1.8";
const SHA384 = "2.16.840.1.101.3.4.2.2";

/** Name attribute types (RFC 5280 §4.1.2.4). */
export const NAME_OID = { organization: "2.5.4.10", organizationalUnit: "2.5.4.11", commonName: "2.5.4.3" } as const;

/** A Name, one attribute per RDN in the order given, each value a UTF8String. */
export function encodeName(attributes: readonly (readonly [oid: string, value: string])[]): Uint8Array {
  return sequence(...attributes.map(([type, value]) => set(sequence(oid(type), utf8String(value)))));
}

export interface ExtensionSpec {
  readonly oid: string;
  readonly critical?: boolean;
  /** The extnValue content (the DER the OCTET STRING wraps). */
  readonly value: Uint8Array;
}

export interface CertificateSpec {
  readonly serial: bigint;
  /** Name DER. */
  readonly issuer: Uint8Array;
  readonly subject: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly publicKey: KeyObject;
  readonly extensions: readonly ExtensionSpec[];
}

/** AlgorithmIdentifier for RSASSA-PSS SHA-384 / MGF1-SHA-384 / salt 48, every parameter explicit (RFC 4055). */
const PSS_SHA384 = sequence(
  oid(RSASSA_PSS),
  sequence(explicit(0, sequence(oid(SHA384), nul())), explicit(1, sequence(oid(MGF1), sequence(oid(SHA384), nul()))), explicit(2, integer(48))),
);

/** A DER certificate for `spec`, signed by `issuerKey` (an RSA private key). */
export function issueCertificate(spec: CertificateSpec, issuerKey: KeyObject): Uint8Array {
  const extensions = spec.extensions.map((e) => sequence(oid(e.oid), ...(e.critical ? [boolean(true)] : []), octetString(e.value)));
  const tbs = sequence(
    explicit(0, integer(2)),
    integer(spec.serial),
    PSS_SHA384,
    spec.issuer,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    spec.subject,
    new Uint8Array(spec.publicKey.export({ type: "spki", format: "der" })),
    ...(extensions.length ? [explicit(3, sequence(...extensions))] : []),
  );
  const signature = sign("sha384", tbs, { key: issuerKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 48 });
  return sequence(tbs, PSS_SHA384, bitString(new Uint8Array(signature)));
}
