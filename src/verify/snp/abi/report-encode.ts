import { sign, type KeyObject } from "node:crypto";
import { SnpError } from "../errors.js";
import type { SignerInfo } from "./fields.js";
import { REPORT_SIZE, SIGNED_SIZE, type AttestationReport } from "./report.js";

/**
 * What a report says, as parseReport returns it, to be written back as bytes: the signer info as its
 * raw word, the signature optional (zeros until signReport fills it in).
 */
export type ReportContent = Omit<AttestationReport, "bytes" | "signerInfo" | "signature"> & {
  readonly signerInfo: Pick<SignerInfo, "raw">;
  /** r and s big-endian, 48 bytes each. */
  readonly signature?: AttestationReport["signature"];
};

/**
 * Writes the ATTESTATION_REPORT layout (sev-snp-report.md §1), the inverse of parseReport: the
 * optional fields (CPUID, mitigation vectors) are written when given, whatever the version, and no
 * value is judged here, so that tests can write every report parseReport must refuse. Byte fields
 * must have exactly their size.
 */
export function encodeReport(r: ReportContent): Uint8Array {
  const b = Buffer.alloc(REPORT_SIZE);
  const bytes = (value: Uint8Array, offset: number, size: number, name: string) => {
    if (value.byteLength !== size) throw new SnpError("REPORT_FORMAT", `${name} is ${value.byteLength} bytes; the field holds ${size}`);
    b.set(value, offset);
  };
  b.writeUInt32LE(r.version, 0x000);
  b.writeUInt32LE(r.guestSvn, 0x004);
  b.writeBigUInt64LE(r.policy, 0x008);
  bytes(r.familyId, 0x010, 16, "FAMILY_ID");
  bytes(r.imageId, 0x020, 16, "IMAGE_ID");
  b.writeUInt32LE(r.vmpl, 0x030);
  b.writeUInt32LE(r.signatureAlgo, 0x034);
  b.writeBigUInt64LE(r.currentTcb, 0x038);
  b.writeBigUInt64LE(r.platformInfo, 0x040);
  b.writeUInt32LE(r.signerInfo.raw, 0x048);
  bytes(r.reportData, 0x050, 64, "REPORT_DATA");
  bytes(r.measurement, 0x090, 48, "MEASUREMENT");
  bytes(r.hostData, 0x0c0, 32, "HOST_DATA");
  bytes(r.idKeyDigest, 0x0e0, 48, "ID_KEY_DIGEST");
  bytes(r.authorKeyDigest, 0x110, 48, "AUTHOR_KEY_DIGEST");
  bytes(r.reportId, 0x140, 32, "REPORT_ID");
  bytes(r.reportIdMa, 0x160, 32, "REPORT_ID_MA");
  b.writeBigUInt64LE(r.reportedTcb, 0x180);
  if (r.cpuid) b.set([r.cpuid.family, r.cpuid.model, r.cpuid.stepping], 0x188);
  bytes(r.chipId, 0x1a0, 64, "CHIP_ID");
  b.writeBigUInt64LE(r.committedTcb, 0x1e0);
  b.set([r.currentVersion.build, r.currentVersion.minor, r.currentVersion.major], 0x1e8);
  b.set([r.committedVersion.build, r.committedVersion.minor, r.committedVersion.major], 0x1ec);
  b.writeBigUInt64LE(r.launchTcb, 0x1f0);
  if (r.launchMitVector !== undefined) b.writeBigUInt64LE(r.launchMitVector, 0x1f8);
  if (r.currentMitVector !== undefined) b.writeBigUInt64LE(r.currentMitVector, 0x200);
  if (r.signature) writeSignature(b, r.signature.r, r.signature.s);
  return new Uint8Array(b);
}

/** r and s go into the low 48 bytes of their 72-byte fields, little-endian (§6.1). */
function writeSignature(report: Uint8Array, r: Uint8Array, s: Uint8Array): void {
  if (r.byteLength !== 48 || s.byteLength !== 48) throw new SnpError("REPORT_FORMAT", "SIGNATURE r and s are 48 bytes each");
  report.set(Uint8Array.from(r).reverse(), 0x2a0);
  report.set(Uint8Array.from(s).reverse(), 0x2e8);
}

/** The report with its signature by `key` (ECDSA P-384, SHA-384 over bytes 0x000..0x2A0), as the AMD-SP signs. */
export function signReport(report: Uint8Array, key: KeyObject): Uint8Array {
  if (report.byteLength !== REPORT_SIZE) throw new SnpError("REPORT_SIZE", `is ${report.byteLength} bytes; an ATTESTATION_REPORT is ${REPORT_SIZE}`);
  const signature = sign("sha384", report.subarray(0, SIGNED_SIZE), { key, dsaEncoding: "ieee-p1363" });
  const signed = Uint8Array.from(report);
  writeSignature(signed, signature.subarray(0, 48), signature.subarray(48, 96));
  return signed;
}
