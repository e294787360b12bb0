import { parseDocument } from "../../schema/parse.js";
import { SnpPolicy } from "../../schema/snp-policy.js";
import { DerError } from "../../util/der.js";
import { InputError, ReftrailError } from "../../util/errors.js";
import { readInput, readInputText } from "../../util/input-file.js";
import { isHclReport, parseHclReport, type HclReport } from "../snp/abi/hcl.js";
import { parseReport, REPORT_SIZE, type AttestationReport } from "../snp/abi/report.js";
import { SnpError } from "../snp/errors.js";
import { certificateBlobs, parseCertificate, type Certificate } from "../x509/certificate.js";
import { parseCrl, type Crl } from "../x509/crl.js";

/**
 * The inputs of a SEV-SNP verification from files: the report (raw, hex or inside an Azure HCL
 * report), certificates, the VCEK/VLEK with its chain, AMD's cert_chain, a CRL and a policy. Each
 * failure is an InputError about `subject`, the name the caller gives the file.
 */

const MAX_CERT_BYTES = 1 << 20;

function parsed<T>(subject: string, fn: () => T, derCode: "CERTIFICATE" | "CRL" = "CERTIFICATE"): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DerError) throw new InputError(derCode, err.message, subject);
    if (err instanceof ReftrailError) throw new InputError(err.code, err.message, subject);
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
export function loadReport(path: string, subject = path): ReportInput {
  const bytes = readInput(path, subject, 1 << 20);
  return parsed(subject, () => {
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
export function loadCertificate(path: string, subject = path): Certificate {
  const bytes = readInput(path, subject, MAX_CERT_BYTES);
  return parsed(subject, () => {
    const blobs = certificateBlobs(bytes);
    if (blobs.length !== 1) throw new SnpError("CERTIFICATE", `holds ${blobs.length} certificates; expected one`);
    return parseCertificate(blobs[0]!);
  });
}

/**
 * The VCEK/VLEK alone, or followed by its chain (ASK/ASVK, then ARK) in one PEM file, the order of
 * Azure's vcek_chain.pem and of the extended report's certificate table.
 */
export function loadVekBundle(path: string, subject = path): { vek: Certificate; ask?: Certificate; ark?: Certificate } {
  const bytes = readInput(path, subject, MAX_CERT_BYTES);
  return parsed(subject, () => {
    const blobs = certificateBlobs(bytes);
    if (blobs.length < 1 || blobs.length > 3) throw new SnpError("CERTIFICATE", `holds ${blobs.length} certificates; expected the VCEK/VLEK, optionally followed by the ASK/ASVK and the ARK`);
    const [vek, ask, ark] = blobs.map(parseCertificate);
    return { vek: vek!, ...(ask ? { ask } : {}), ...(ark ? { ark } : {}) };
  });
}

/** AMD KDS `cert_chain`: the ASK (or ASVK), then the ARK, in one PEM file. */
export function loadChain(path: string, subject = path): { ask: Certificate; ark: Certificate } {
  const bytes = readInput(path, subject, MAX_CERT_BYTES);
  return parsed(subject, () => {
    const blobs = certificateBlobs(bytes);
    if (blobs.length !== 2) throw new SnpError("CERTIFICATE", `holds ${blobs.length} certificates; a cert_chain is the ASK/ASVK then the ARK`);
    return { ask: parseCertificate(blobs[0]!), ark: parseCertificate(blobs[1]!) };
  });
}

/** An AMD CRL, DER or PEM. */
export function loadCrl(path: string, subject = path): Crl {
  // AMD's CRLs are a few KiB; 1 MiB leaves room without letting a huge file cost seconds and memory.
  const bytes = readInput(path, subject, 1 << 20);
  return parsed(
    subject,
    () => {
      const blobs = certificateBlobs(bytes, "X509 CRL");
      if (blobs.length !== 1) throw new SnpError("CRL", `holds ${blobs.length} CRLs; expected one`);
      return parseCrl(blobs[0]!);
    },
    "CRL",
  );
}

/** An SNP policy document (schemas/snp-policy.json). */
export function loadSnpPolicy(path: string, subject = path): SnpPolicy {
  return parseDocument(SnpPolicy, readInputText(path, subject, 4 << 20), subject);
}
