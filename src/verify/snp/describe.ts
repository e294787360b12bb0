import { createHash } from "node:crypto";
import { toHex } from "../../util/bytes.js";
import { printable } from "../../util/printable.js";
import { decodeGuestPolicy, platformInfoNames } from "./abi/fields.js";
import type { HclReport } from "./abi/hcl.js";
import { productFromCpuid, type Product } from "./abi/product.js";
import type { AttestationReport } from "./abi/report.js";
import { decodeTcb, type TcbVersion } from "./abi/tcb.js";

const hex64 = (v: bigint) => `0x${v.toString(16).padStart(16, "0")}`;

function tcbJson(raw: bigint, product: Product | undefined): Record<string, unknown> {
  // Without a product (v2 and no hint) the Milan/Genoa layout is shown: both share it.
  const tcb: TcbVersion = decodeTcb(raw, product ?? "Milan");
  return { raw: hex64(raw), ...(tcb.fmc !== undefined ? { fmc: tcb.fmc } : {}), bl: tcb.bl, tee: tcb.tee, snp: tcb.snp, ucode: tcb.ucode };
}

/** The product a report names by itself (v3+ CPUID), if any. */
export function ownProduct(report: AttestationReport): Product | undefined {
  if (report.cpuid === undefined) return undefined;
  try {
    return productFromCpuid(report.cpuid);
  } catch {
    return undefined;
  }
}

/** Every field of a report, decoded, as JSON-ready data (hex for bytes, names for bits). */
export function describeReport(report: AttestationReport, productHint?: Product, hcl?: HclReport): Record<string, unknown> {
  const product = ownProduct(report) ?? productHint;
  const wrapper = hcl === undefined ? {} : { hcl: describeHcl(hcl, report) };
  const g = decodeGuestPolicy(report.policy);
  const fw = (v: { major: number; minor: number; build: number }) => `${v.major}.${v.minor}.${v.build}`;
  return {
    ...wrapper,
    version: report.version,
    product: product ?? null,
    // Which layout the TCB fields below are read with, and whether that was a guess.
    tcbLayout: product === undefined ? "Milan/Genoa (assumed: the product is unknown; give --product)" : product === "Turin" ? "Turin" : "Milan/Genoa",
    guestSvn: report.guestSvn,
    policy: {
      raw: hex64(report.policy),
      abi: `${g.abiMajor}.${g.abiMinor}`,
      smt: g.smt,
      migrateMa: g.migrateMa,
      debug: g.debug,
      singleSocket: g.singleSocket,
      cxlAllow: g.cxlAllow,
      memAes256Xts: g.memAes256Xts,
      raplDis: g.raplDis,
      ciphertextHiding: g.ciphertextHiding,
      pageSwapDisable: g.pageSwapDisable,
    },
    familyId: toHex(report.familyId),
    imageId: toHex(report.imageId),
    vmpl: report.vmpl,
    signatureAlgo: report.signatureAlgo,
    currentTcb: tcbJson(report.currentTcb, product),
    platformInfo: { raw: hex64(report.platformInfo), bits: platformInfoNames(report.platformInfo) },
    signerInfo: { authorKeyEn: report.signerInfo.authorKeyEn, maskChipKey: report.signerInfo.maskChipKey, signingKey: report.signerInfo.signingKey },
    reportData: toHex(report.reportData),
    measurement: toHex(report.measurement),
    hostData: toHex(report.hostData),
    idKeyDigest: toHex(report.idKeyDigest),
    authorKeyDigest: toHex(report.authorKeyDigest),
    reportId: toHex(report.reportId),
    reportIdMa: toHex(report.reportIdMa),
    reportedTcb: tcbJson(report.reportedTcb, product),
    cpuid: report.cpuid ? { family: `0x${report.cpuid.family.toString(16)}`, model: `0x${report.cpuid.model.toString(16)}`, stepping: report.cpuid.stepping } : null,
    chipId: toHex(report.chipId),
    committedTcb: tcbJson(report.committedTcb, product),
    currentVersion: fw(report.currentVersion),
    committedVersion: fw(report.committedVersion),
    launchTcb: tcbJson(report.launchTcb, product),
    launchMitVector: report.launchMitVector === undefined ? null : hex64(report.launchMitVector),
    currentMitVector: report.currentMitVector === undefined ? null : hex64(report.currentMitVector),
    signature: { r: toHex(report.signature.r), s: toHex(report.signature.s) },
  };
}

/** The Azure HCL wrapper: its runtime data as text (it is JSON: the vTPM key and VM configuration) and its digest. */
function describeHcl(hcl: HclReport, report: AttestationReport): Record<string, unknown> {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(hcl.variableData);
  const digest = createHash(hcl.hash).update(hcl.variableData).digest("hex");
  const data = toHex(report.reportData);
  return {
    headerVersion: hcl.headerVersion,
    runtimeDataHash: hcl.hash,
    runtimeDataDigest: digest,
    // Only a reading aid: `verify report` decides (HCL_RUNTIME_DATA also requires VMPL 0).
    reportDataCommitsToRuntimeData: data === digest.padEnd(128, "0"),
    runtimeData: printable(text),
  };
}

/** Hex in rows of 16 bytes, the way snpguest displays byte fields. */
function hexRows(hex: string, indent: string): string {
  const bytes = hex.match(/../g) ?? [];
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) rows.push(indent + bytes.slice(i, i + 16).join(" "));
  return rows.join("\n");
}

const LABELS: Readonly<Record<string, string>> = {
  version: "Version", product: "Product", guestSvn: "Guest SVN", policy: "Guest policy", abi: "ABI", smt: "SMT allowed",
  migrateMa: "Migration agent", debug: "Debug allowed", singleSocket: "Single socket", cxlAllow: "CXL allowed",
  memAes256Xts: "AES-256-XTS required", raplDis: "RAPL disabled", ciphertextHiding: "Ciphertext hiding", pageSwapDisable: "Page swap disabled",
  familyId: "Family ID", imageId: "Image ID", vmpl: "VMPL", signatureAlgo: "Signature algorithm", currentTcb: "Current TCB", raw: "Raw",
  fmc: "FMC", bl: "Boot loader", tee: "TEE", snp: "SNP firmware", ucode: "Microcode", platformInfo: "Platform info", bits: "Bits set",
  signerInfo: "Signer info", authorKeyEn: "Author key enabled", maskChipKey: "Chip key masked", signingKey: "Signing key",
  reportData: "Report data", measurement: "Measurement", hostData: "Host data", idKeyDigest: "ID key digest",
  authorKeyDigest: "Author key digest", reportId: "Report ID", reportIdMa: "Report ID MA", reportedTcb: "Reported TCB", cpuid: "CPUID",
  family: "Family", model: "Model", stepping: "Stepping", chipId: "Chip ID", committedTcb: "Committed TCB",
  currentVersion: "Current firmware", committedVersion: "Committed firmware", launchTcb: "Launch TCB",
  hcl: "Azure HCL report", headerVersion: "Header version", runtimeDataHash: "Runtime data hash", runtimeDataDigest: "Runtime data digest", reportDataCommitsToRuntimeData: "REPORT_DATA commits to it",
  runtimeData: "Runtime data", tcbLayout: "TCB layout", launchMitVector: "Launch mitigation vector", currentMitVector: "Current mitigation vector", signature: "Signature", r: "R", s: "S",
};

const isBytes = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{32,}$/.test(v);
const scalar = (v: unknown) => (v === null ? "n/a" : Array.isArray(v) ? v.join(", ") || "none" : String(v));

/** A human rendering: one field per line, byte fields as hex rows, nested fields indented. */
export function reportText(data: Record<string, unknown>): string {
  const lines: string[] = [];
  const walk = (object: Record<string, unknown>, depth: number) => {
    const indent = "  ".repeat(depth);
    for (const [key, value] of Object.entries(object)) {
      const label = `${indent}${LABELS[key] ?? key}:`;
      if (isBytes(value)) lines.push(label, hexRows(value, `${indent}  `));
      else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        lines.push(label);
        walk(value as Record<string, unknown>, depth + 1);
      } else lines.push(`${label.padEnd(28)}${scalar(value)}`);
    }
  };
  walk(data, 0);
  return `${lines.join("\n")}\n`;
}
