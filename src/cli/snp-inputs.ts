import { parseDocument } from "../schema/parse.js";
import { SnpPolicy } from "../schema/snp-policy.js";
import { DerError } from "../util/der.js";
import { ReftrailError } from "../util/errors.js";
import { PRODUCTS, type Product } from "../verify/snp/abi/product.js";
import { isHclReport, parseHclReport, type HclReport } from "../verify/snp/abi/hcl.js";
import { parseReport, REPORT_SIZE, type AttestationReport } from "../verify/snp/abi/report.js";
import { SnpError } from "../verify/snp/errors.js";
import { certificateBlobs, parseCertificate, type Certificate } from "../verify/x509/certificate.js";
import { parseCrl, type Crl } from "../verify/x509/crl.js";
import { InputError, UsageError } from "./errors.js";
import { fileSubject, readInputFile, readTextInput } from "./input.js";

const MAX_CERT_BYTES = 1 << 20;

function asInput<T>(option: string, path: string, fn: () => T, derCode: "CERTIFICATE" | "CRL" = "CERTIFICATE"): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DerError) throw new InputError(derCode, err.message, fileSubject(option, path));
    if (err instanceof ReftrailError) throw new InputError(err.code, err.message, fileSubject(option, path));
    throw err;
  }
}

/** A report read from a file, and the Azure HCL report around it when it came in one. */
export interface ReportInput {
  readonly report: AttestationReport;
  readonly hcl: HclReport | undefined;
}

/**
 * A report file: the 1184 raw bytes, the same as hex text (as virtee's test data stores it), or an
 * Azure HCL report (magic "HCLA") holding it.
 */
export function readReport(option: string, path: string): ReportInput {
  const bytes = readInputFile(option, path, 1 << 20);
  return asInput(option, path, () => {
    if (isHclReport(bytes)) {
      const hcl = parseHclReport(bytes);
      return { report: hcl.report, hcl };
    }
    if (bytes.byteLength === REPORT_SIZE) return { report: parseReport(bytes), hcl: undefined };
    const text = Buffer.from(bytes).toString("latin1").replace(/\s+/g, "");
    if (/^[0-9a-fA-F]*$/.test(text) && text.length === 2 * REPORT_SIZE) return { report: parseReport(new Uint8Array(Buffer.from(text, "hex"))), hcl: undefined };
    // Say which form it was taken for: hex text (only hex digits and whitespace) or raw bytes.
    const looksLikeText = /^[\x20-\x7e\s]*$/.test(Buffer.from(bytes).toString("latin1"));
    if (looksLikeText && bytes.byteLength > 0) {
      const bad = /[^0-9a-fA-F]/.exec(text);
      throw new SnpError("REPORT_SIZE", bad ? `is text but not hex: '${bad[0]}' at character ${bad.index + 1} (expected ${2 * REPORT_SIZE} hex digits)` : `holds ${text.length} hex digits; a report is ${2 * REPORT_SIZE} (${REPORT_SIZE} bytes)`);
    }
    return { report: parseReport(bytes), hcl: undefined };
  });
}

/** Exactly one certificate, DER or PEM. */
export function readCertificate(option: string, path: string): Certificate {
  const bytes = readInputFile(option, path, MAX_CERT_BYTES);
  return asInput(option, path, () => {
    const blobs = certificateBlobs(bytes);
    if (blobs.length !== 1) throw new SnpError("CERTIFICATE", `holds ${blobs.length} certificates; expected one`);
    return parseCertificate(blobs[0]!);
  });
}

/**
 * `--cert`: the VCEK/VLEK alone, or followed by its chain (ASK/ASVK, then ARK) in one PEM file, the
 * order of Azure's vcek_chain.pem and of the extended report's certificate table.
 */
export function readVekBundle(option: string, path: string): { vek: Certificate; ask?: Certificate; ark?: Certificate } {
  const bytes = readInputFile(option, path, MAX_CERT_BYTES);
  return asInput(option, path, () => {
    const blobs = certificateBlobs(bytes);
    if (blobs.length < 1 || blobs.length > 3) throw new SnpError("CERTIFICATE", `holds ${blobs.length} certificates; expected the VCEK/VLEK, optionally followed by the ASK/ASVK and the ARK`);
    const [vek, ask, ark] = blobs.map(parseCertificate);
    return { vek: vek!, ...(ask ? { ask } : {}), ...(ark ? { ark } : {}) };
  });
}

/** AMD KDS `cert_chain`: the ASK (or ASVK), then the ARK, in one PEM file. */
export function readChain(option: string, path: string): { ask: Certificate; ark: Certificate } {
  const bytes = readInputFile(option, path, MAX_CERT_BYTES);
  return asInput(option, path, () => {
    const blobs = certificateBlobs(bytes);
    if (blobs.length !== 2) throw new SnpError("CERTIFICATE", `holds ${blobs.length} certificates; a cert_chain is the ASK/ASVK then the ARK`);
    return { ask: parseCertificate(blobs[0]!), ark: parseCertificate(blobs[1]!) };
  });
}

export function readCrl(option: string, path: string): Crl {
  // AMD's CRLs are a few KiB; 1 MiB leaves room without letting a huge file cost seconds and memory.
  const bytes = readInputFile(option, path, 1 << 20);
  return asInput(option, path, () => {
    const blobs = certificateBlobs(bytes, "X509 CRL");
    if (blobs.length !== 1) throw new SnpError("CRL", `holds ${blobs.length} CRLs; expected one`);
    return parseCrl(blobs[0]!);
  }, "CRL");
}

export function readPolicy(option: string, path: string): SnpPolicy {
  return parseDocument(SnpPolicy, readTextInput(option, path, 4 << 20), fileSubject(option, path));
}

export function productOption(text: string | undefined): Product | undefined {
  if (text === undefined) return undefined;
  const product = PRODUCTS.find((p) => p.toLowerCase() === text.toLowerCase());
  if (product === undefined) throw new UsageError(`'${text}' is not one of ${PRODUCTS.join(", ")}`, "--product");
  return product;
}
