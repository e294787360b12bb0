import { ReftrailError } from "../../util/errors.js";

export type SnpErrorCode = "REPORT_SIZE" | "REPORT_VERSION" | "REPORT_FORMAT" | "CERTIFICATE" | "PRODUCT" | "CRL";

/** A report, certificate or CRL that cannot be read as one (an input error, not a failed check). */
export class SnpError extends ReftrailError<SnpErrorCode> {}
