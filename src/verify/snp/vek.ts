import { DerError, TAG, readDer, readString, readUnsigned } from "../../util/der.js";
import type { Certificate } from "../x509/certificate.js";
import type { TcbComponent } from "./abi/tcb.js";

/** AMD's X.509 extensions on a VCEK or VLEK (go-sev-guest kds.go, snpguest SnpOid). */
export const VEK_OID = {
  structVersion: "1.3.6.1.4.1.3704.1.1",
  productName: "1.3.6.1.4.1.3704.1.2",
  hwId: "1.3.6.1.4.1.3704.1.4",
  cspId: "1.3.6.1.4.1.3704.1.5",
} as const;
/** spl4..spl7: SPLs of the TCB bytes no component uses yet; present (as 0) in real VCEKs. */
export const RESERVED_SPL_OIDS = ["1.3.6.1.4.1.3704.1.3.4", "1.3.6.1.4.1.3704.1.3.5", "1.3.6.1.4.1.3704.1.3.6", "1.3.6.1.4.1.3704.1.3.7"] as const;
export const SPL_OID: Readonly<Record<TcbComponent, string>> = {
  bl: "1.3.6.1.4.1.3704.1.3.1",
  tee: "1.3.6.1.4.1.3704.1.3.2",
  snp: "1.3.6.1.4.1.3704.1.3.3",
  ucode: "1.3.6.1.4.1.3704.1.3.8",
  fmc: "1.3.6.1.4.1.3704.1.3.9",
};

export interface VekExtensions {
  readonly structVersion: number | undefined;
  readonly productName: string | undefined;
  /** The TCB the key was derived for, per component present. */
  readonly tcb: Partial<Record<TcbComponent, number>>;
  /** spl4..spl7 that are present and not zero, by OID. */
  readonly nonZeroReservedSpls: readonly string[];
  /** CHIP_ID (64 bytes) or, on Turin, its first 8 bytes. VCEKs only. */
  readonly hwId: Uint8Array | undefined;
  /** The cloud provider a VLEK was issued to. VLEKs only. */
  readonly cspId: string | undefined;
}

function integer(value: Uint8Array, what: string): number {
  const n = readUnsigned(readDer(value));
  if (n > 255n) throw new DerError(`${what} is ${n}, more than a security patch level can be`);
  return Number(n);
}

/** hwID is stored as raw bytes (AMD's KDS); an OCTET STRING-wrapped form is accepted too, as go-sev-guest does. */
function hwId(value: Uint8Array): Uint8Array {
  if (value.byteLength === 64 || value.byteLength === 8) return value;
  const tlv = readDer(value);
  if (tlv.tag === TAG.OCTET_STRING && (tlv.content.byteLength === 64 || tlv.content.byteLength === 8)) return tlv.content;
  throw new DerError(`hwID is ${value.byteLength} bytes; expected 64 (or 8 on Turin)`);
}

/** Every AMD extension OID reftrail reads from a VCEK/VLEK. */
export const AMD_VEK_EXTENSION_OIDS: readonly string[] = [...Object.values(VEK_OID), ...Object.values(SPL_OID), ...RESERVED_SPL_OIDS];

/** Reads AMD's extensions; a present but malformed one is an error, an absent one undefined. */
export function vekExtensions(cert: Certificate): VekExtensions {
  const ext = (oid: string) => cert.extensions.get(oid)?.value;
  const struct = ext(VEK_OID.structVersion);
  const name = ext(VEK_OID.productName);
  const hw = ext(VEK_OID.hwId);
  const csp = ext(VEK_OID.cspId);
  const tcb: Partial<Record<TcbComponent, number>> = {};
  for (const [component, oid] of Object.entries(SPL_OID) as [TcbComponent, string][]) {
    const v = ext(oid);
    if (v !== undefined) tcb[component] = integer(v, `${component}SPL`);
  }
  const nonZeroReservedSpls = RESERVED_SPL_OIDS.filter((oid) => {
    const v = ext(oid);
    return v !== undefined && integer(v, `reserved SPL ${oid}`) !== 0;
  });
  return {
    nonZeroReservedSpls,
    structVersion: struct === undefined ? undefined : integer(struct, "structVersion"),
    productName: name === undefined ? undefined : readString(readDer(name)),
    tcb,
    hwId: hw === undefined ? undefined : hwId(hw),
    cspId: csp === undefined ? undefined : readString(readDer(csp)),
  };
}
