import { DerError, TAG, children, expectTag, readBoolean, readDer, readNamedBits, readUnsigned } from "../../util/der.js";
import type { Certificate } from "./certificate.js";

export const BASIC_CONSTRAINTS = "2.5.29.19";
export const KEY_USAGE = "2.5.29.15";

/** KeyUsage bits (RFC 5280 §4.2.1.3). */
export const KEY_USAGE_BIT = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

export interface BasicConstraints {
  readonly ca: boolean;
  readonly pathLength: number | undefined;
}

/** The basicConstraints extension, or undefined when absent. */
export function basicConstraints(cert: Certificate): BasicConstraints | undefined {
  const ext = cert.extensions.get(BASIC_CONSTRAINTS);
  if (ext === undefined) return undefined;
  const fields = children(expectTag(readDer(ext.value), TAG.SEQUENCE, "basicConstraints"));
  let i = 0;
  let ca = false;
  if (fields[i]?.tag === TAG.BOOLEAN) {
    ca = readBoolean(fields[i++]!);
    // cA FALSE is the DEFAULT, which DER never encodes.
    if (!ca) throw new DerError("basicConstraints encodes the default cA FALSE");
  }
  let pathLength: number | undefined;
  if (fields[i]?.tag === TAG.INTEGER) {
    const n = readUnsigned(fields[i++]!);
    if (n > 255n) throw new DerError(`basicConstraints pathLenConstraint ${n} is implausibly large`);
    pathLength = Number(n);
  }
  if (i !== fields.length) throw new DerError("basicConstraints has unexpected fields");
  return { ca, pathLength };
}

/** The keyUsage bits, or undefined when the extension is absent (every usage allowed). */
export function keyUsage(cert: Certificate): ReadonlySet<number> | undefined {
  const ext = cert.extensions.get(KEY_USAGE);
  return ext === undefined ? undefined : readNamedBits(readDer(ext.value));
}

/** Critical extensions the caller does not process; RFC 5280 §6.1.4(o) forbids accepting such a certificate. */
export function unprocessedCriticalExtensions(cert: Certificate, processed: ReadonlySet<string>): string[] {
  return [...cert.extensions].filter(([oid, ext]) => ext.critical && !processed.has(oid)).map(([oid]) => oid);
}

/**
 * What a certificate may do in a chain, as one list of problems (empty when fine). `role` "ca" for
 * an issuer that signs certificates (`issuesCa` when what it signs is itself a CA, so a path
 * length of 0 is too short), "leaf" for the key that signs reports. `extraProcessed` names further
 * extension OIDs the caller reads.
 */
export function chainRoleProblems(cert: Certificate, role: { kind: "ca"; issuesCa: boolean } | { kind: "leaf" }, extraProcessed: readonly string[] = []): string[] {
  const problems: string[] = [];
  let bc: BasicConstraints | undefined;
  let usage: ReadonlySet<number> | undefined;
  try {
    bc = basicConstraints(cert);
    usage = keyUsage(cert);
  } catch (err) {
    return [`malformed ${(err as Error).message}`];
  }
  if (role.kind === "ca") {
    if (!bc?.ca) problems.push("not a CA (basicConstraints cA is not TRUE)");
    // RFC 5280 §4.2.1.9: a CA's basicConstraints is critical (AMD's are).
    else if (!cert.extensions.get(BASIC_CONSTRAINTS)?.critical) problems.push("basicConstraints is not critical");
    else if (role.issuesCa && bc.pathLength === 0) problems.push("path length 0 forbids issuing the ASK/ASVK");
    if (usage && !usage.has(KEY_USAGE_BIT.keyCertSign)) problems.push("keyUsage lacks keyCertSign");
  } else {
    if (bc?.ca) problems.push("a CA certificate (basicConstraints cA TRUE) used as the signing key");
    if (usage && !usage.has(KEY_USAGE_BIT.digitalSignature)) problems.push("keyUsage lacks digitalSignature");
  }
  const unknown = unprocessedCriticalExtensions(cert, new Set([BASIC_CONSTRAINTS, KEY_USAGE, ...extraProcessed]));
  if (unknown.length) problems.push(`unprocessed critical extension ${unknown.join(", ")}`);
  return problems;
}
