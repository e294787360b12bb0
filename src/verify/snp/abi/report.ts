import { SnpError } from "../errors.js";
import { POLICY_MBZ, POLICY_RESERVED_ONE, decodeSignerInfo, type SignerInfo } from "./fields.js";
import type { Cpuid } from "./product.js";

/** ATTESTATION_REPORT: 0x4A0 bytes, little-endian; the signature covers bytes 0x000..0x2A0. */
export const REPORT_SIZE = 0x4a0;
export const SIGNED_SIZE = 0x2a0;
/** 2..5, as the spec decides (go-sev-guest accepts the same); 4 has the layout of 3, as virtee reads it. */
export const SUPPORTED_VERSIONS: readonly number[] = [2, 3, 4, 5];

export interface FirmwareVersion {
  readonly major: number;
  readonly minor: number;
  readonly build: number;
}

/** Every field of a report, raw; product-dependent fields (TCB layout) are decoded later. */
export interface AttestationReport {
  readonly bytes: Uint8Array;
  readonly version: number;
  readonly guestSvn: number;
  readonly policy: bigint;
  readonly familyId: Uint8Array;
  readonly imageId: Uint8Array;
  readonly vmpl: number;
  readonly signatureAlgo: number;
  readonly currentTcb: bigint;
  readonly platformInfo: bigint;
  readonly signerInfo: SignerInfo;
  readonly reportData: Uint8Array;
  readonly measurement: Uint8Array;
  readonly hostData: Uint8Array;
  readonly idKeyDigest: Uint8Array;
  readonly authorKeyDigest: Uint8Array;
  readonly reportId: Uint8Array;
  readonly reportIdMa: Uint8Array;
  readonly reportedTcb: bigint;
  /** v3+ only. */
  readonly cpuid: Cpuid | undefined;
  readonly chipId: Uint8Array;
  readonly committedTcb: bigint;
  readonly currentVersion: FirmwareVersion;
  readonly committedVersion: FirmwareVersion;
  readonly launchTcb: bigint;
  /** v5 only. */
  readonly launchMitVector: bigint | undefined;
  readonly currentMitVector: bigint | undefined;
  /** ECDSA P-384 r and s, big-endian, 48 bytes each (the report stores them little-endian in 72-byte fields). */
  readonly signature: { readonly r: Uint8Array; readonly s: Uint8Array };
}

/** Ranges that must be zero in every supported version, and per version. */
function mbzRanges(version: number): [number, number, string][] {
  const common: [number, number, string][] = [
    [0x04c, 0x050, "reserved 0x04C"],
    [0x1eb, 0x1ec, "reserved 0x1EB"],
    [0x1ef, 0x1f0, "reserved 0x1EF"],
    [0x2a0 + 48, 0x2a0 + 72, "SIGNATURE.R high bytes"],
    [0x2e8 + 48, 0x2e8 + 72, "SIGNATURE.S high bytes"],
    [0x330, 0x4a0, "reserved 0x330"],
  ];
  const cpuidReserved: [number, number, string] = version >= 3 ? [0x18b, 0x1a0, "reserved 0x18B"] : [0x188, 0x1a0, "reserved 0x188 (no CPUID before v3)"];
  const tail: [number, number, string] = version >= 5 ? [0x208, 0x2a0, "reserved 0x208"] : [0x1f8, 0x2a0, "reserved 0x1F8 (no mitigation vectors before v5)"];
  return [...common, cpuidReserved, tail];
}

const reversed = (b: Uint8Array) => Uint8Array.from(b).reverse();

/**
 * Parses a report. Refuses anything that is not exactly a version 2, 3, 4 or 5 report: another size,
 * another version, another signature algorithm, non-zero reserved bytes, policy bit 17 clear or
 * reserved policy bits set, a reserved signing-key value. Each refusal names the field.
 */
export function parseReport(bytes: Uint8Array): AttestationReport {
  if (bytes.byteLength !== REPORT_SIZE) throw new SnpError("REPORT_SIZE", `is ${bytes.byteLength} bytes; an ATTESTATION_REPORT is ${REPORT_SIZE} (0x4A0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (off: number) => view.getUint32(off, true);
  const u64 = (off: number) => view.getBigUint64(off, true);
  const slice = (off: number, len: number) => bytes.slice(off, off + len);
  const version = u32(0x000);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    const why = version < 2 ? " (versions 0 and 1 predate the signed fields reftrail checks)" : " (unknown version)";
    throw new SnpError("REPORT_VERSION", `VERSION is ${version}${why}; reftrail verifies versions ${SUPPORTED_VERSIONS.join(", ")}`);
  }
  for (const [from, to, what] of mbzRanges(version)) {
    const at = bytes.subarray(from, to).findIndex((b) => b !== 0);
    if (at >= 0) throw new SnpError("REPORT_FORMAT", `${what}: byte 0x${(from + at).toString(16).toUpperCase()} is not zero (must be zero in a version ${version} report)`);
  }
  const signatureAlgo = u32(0x034);
  if (signatureAlgo !== 1) throw new SnpError("REPORT_FORMAT", `SIGNATURE_ALGO is ${signatureAlgo}; only 1 (ECDSA P-384 with SHA-384) is defined`);
  const policy = u64(0x008);
  if ((policy & POLICY_RESERVED_ONE) === 0n) throw new SnpError("REPORT_FORMAT", "POLICY bit 17 is 0; it is reserved and must be 1");
  if ((policy & POLICY_MBZ) !== 0n) throw new SnpError("REPORT_FORMAT", `POLICY 0x${policy.toString(16)} sets reserved bits 63:26`);
  const signerWord = u32(0x048);
  const signerInfo = decodeSignerInfo(signerWord);
  if (signerInfo === undefined) throw new SnpError("REPORT_FORMAT", `signer info 0x${signerWord.toString(16)} has a reserved SIGNING_KEY value or reserved bits set`);
  const fw = (off: number): FirmwareVersion => ({ build: bytes[off]!, minor: bytes[off + 1]!, major: bytes[off + 2]! });
  return {
    bytes,
    version,
    guestSvn: u32(0x004),
    policy,
    familyId: slice(0x010, 16),
    imageId: slice(0x020, 16),
    vmpl: u32(0x030),
    signatureAlgo,
    currentTcb: u64(0x038),
    platformInfo: u64(0x040),
    signerInfo,
    reportData: slice(0x050, 64),
    measurement: slice(0x090, 48),
    hostData: slice(0x0c0, 32),
    idKeyDigest: slice(0x0e0, 48),
    authorKeyDigest: slice(0x110, 48),
    reportId: slice(0x140, 32),
    reportIdMa: slice(0x160, 32),
    reportedTcb: u64(0x180),
    cpuid: version >= 3 ? { family: bytes[0x188]!, model: bytes[0x189]!, stepping: bytes[0x18a]! } : undefined,
    chipId: slice(0x1a0, 64),
    committedTcb: u64(0x1e0),
    currentVersion: fw(0x1e8),
    committedVersion: fw(0x1ec),
    launchTcb: u64(0x1f0),
    launchMitVector: version >= 5 ? u64(0x1f8) : undefined,
    currentMitVector: version >= 5 ? u64(0x200) : undefined,
    signature: { r: reversed(bytes.subarray(0x2a0, 0x2a0 + 48)), s: reversed(bytes.subarray(0x2e8, 0x2e8 + 48)) },
  };
}
