import { SnpError } from "../errors.js";
import { parseReport, REPORT_SIZE, type AttestationReport } from "./report.js";

/**
 * Azure's HCL attestation report (the paravisor's vTPM NV index 0x01400001): a 32-byte header, the
 * SNP ATTESTATION_REPORT, then IGVM runtime data whose hash the paravisor put in REPORT_DATA. Layout
 * from Microsoft's az-snp-vtpm `hcl.rs` and the two real reports in the fixtures; little-endian.
 */
export const HCL_MAGIC = "HCLA";
const HEADER_SIZE = 0x20;
const RUNTIME_AT = HEADER_SIZE + REPORT_SIZE;
const RUNTIME_HEADER_SIZE = 20;
/** Header versions seen in real reports (Milan: 1, Genoa: 2); both have this layout. */
const HEADER_VERSIONS: readonly number[] = [1, 2];
const SNP_REPORT_TYPE = 2;
const HASH_TYPES = { 1: "sha256", 2: "sha384", 3: "sha512" } as const;

export type HclHash = (typeof HASH_TYPES)[keyof typeof HASH_TYPES];

export interface HclReport {
  readonly headerVersion: number;
  /** The SNP report inside, parsed. */
  readonly report: AttestationReport;
  /** How REPORT_DATA commits to the runtime data. */
  readonly hash: HclHash;
  /** The runtime data's variable part (JSON: the vTPM attestation key and VM configuration). */
  readonly variableData: Uint8Array;
}

export const isHclReport = (bytes: Uint8Array): boolean => bytes.byteLength >= 4 && Buffer.from(bytes.subarray(0, 4)).toString("latin1") === HCL_MAGIC;

/** Parses an HCL report; every size must agree and the padding after it must be zero. */
export function parseHclReport(bytes: Uint8Array): HclReport {
  const fail = (message: string): never => {
    throw new SnpError("REPORT_FORMAT", `HCL report: ${message}`);
  };
  if (!isHclReport(bytes)) fail(`does not start with '${HCL_MAGIC}'`);
  if (bytes.byteLength < RUNTIME_AT + RUNTIME_HEADER_SIZE) fail(`is ${bytes.byteLength} bytes; the header, SNP report and runtime data header alone are ${RUNTIME_AT + RUNTIME_HEADER_SIZE}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => view.getUint32(at, true);
  const headerVersion = u32(4);
  if (!HEADER_VERSIONS.includes(headerVersion)) fail(`header version ${headerVersion} (known: ${HEADER_VERSIONS.join(", ")})`);
  const reportSize = u32(8);
  if (u32(12) !== SNP_REPORT_TYPE) fail(`request type ${u32(12)} is not 2 (SNP)`);
  const reserved = bytes.subarray(16, HEADER_SIZE).findIndex((b) => b !== 0);
  if (reserved >= 0) fail(`header byte 0x${(16 + reserved).toString(16)} (status and reserved, 0x10..0x20) is not zero`);
  const [dataSize, runtimeVersion, reportType, hashType, variableSize] = [0, 4, 8, 12, 16].map((o) => u32(RUNTIME_AT + o)) as [number, number, number, number, number];
  if (runtimeVersion !== 1) fail(`runtime data version ${runtimeVersion} (known: 1)`);
  if (reportType !== SNP_REPORT_TYPE) fail(`runtime data report type ${reportType} is not 2 (SNP)`);
  const hash = HASH_TYPES[hashType as keyof typeof HASH_TYPES];
  if (hash === undefined) fail(`runtime data hash type ${hashType} (known: 1 SHA-256, 2 SHA-384, 3 SHA-512)`);
  if (dataSize !== RUNTIME_HEADER_SIZE + variableSize) fail(`runtime data size ${dataSize} is not ${RUNTIME_HEADER_SIZE} + variable data size ${variableSize}`);
  if (reportSize !== RUNTIME_AT + dataSize) fail(`report size ${reportSize} is not ${RUNTIME_AT} + runtime data size ${dataSize}`);
  if (reportSize > bytes.byteLength) fail(`report size ${reportSize} runs past the end of the ${bytes.byteLength}-byte input`);
  const padding = bytes.subarray(reportSize).findIndex((b) => b !== 0);
  if (padding >= 0) fail(`byte 0x${(reportSize + padding).toString(16)} after the report is not zero padding`);
  let report: AttestationReport;
  try {
    report = parseReport(bytes.slice(HEADER_SIZE, RUNTIME_AT));
  } catch (err) {
    // Offsets in the message are the SNP report's own; say where that report sits in the file.
    if (err instanceof SnpError) throw new SnpError(err.code, `HCL report: the SNP report at file offset 0x20 (offsets below are within it): ${err.message}`);
    throw err;
  }
  return {
    headerVersion,
    report,
    hash: hash!,
    variableData: bytes.slice(RUNTIME_AT + RUNTIME_HEADER_SIZE, reportSize),
  };
}
