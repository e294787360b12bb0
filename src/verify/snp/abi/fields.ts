/** Bit fields of the report: guest POLICY, PLATFORM_INFO and the signer info word. */

export interface GuestPolicy {
  readonly raw: bigint;
  readonly abiMinor: number;
  readonly abiMajor: number;
  readonly smt: boolean;
  readonly migrateMa: boolean;
  readonly debug: boolean;
  readonly singleSocket: boolean;
  readonly cxlAllow: boolean;
  readonly memAes256Xts: boolean;
  readonly raplDis: boolean;
  readonly ciphertextHiding: boolean;
  readonly pageSwapDisable: boolean;
}

const bit = (raw: bigint, n: number) => ((raw >> BigInt(n)) & 1n) === 1n;

/** Bit 17 must be 1 and bits 63:26 zero (go-sev-guest's ParseSnpPolicy); the caller checks that. */
export const POLICY_RESERVED_ONE = 1n << 17n;
export const POLICY_MBZ = ~((1n << 26n) - 1n) & 0xffff_ffff_ffff_ffffn;

export function decodeGuestPolicy(raw: bigint): GuestPolicy {
  return {
    raw,
    abiMinor: Number(raw & 0xffn),
    abiMajor: Number((raw >> 8n) & 0xffn),
    smt: bit(raw, 16),
    migrateMa: bit(raw, 18),
    debug: bit(raw, 19),
    singleSocket: bit(raw, 20),
    cxlAllow: bit(raw, 21),
    memAes256Xts: bit(raw, 22),
    raplDis: bit(raw, 23),
    ciphertextHiding: bit(raw, 24),
    pageSwapDisable: bit(raw, 25),
  };
}

/**
 * PLATFORM_INFO bits by name. Unknown bits are kept in `raw` and never rejected by parsing (a real
 * Turin report sets bit 6, which no library names yet); a policy decides what it allows.
 */
export const PLATFORM_INFO_BITS = {
  SMT_EN: 0,
  TSME_EN: 1,
  ECC_EN: 2,
  RAPL_DIS: 3,
  CIPHERTEXT_HIDING_DRAM_EN: 4,
  ALIAS_CHECK_COMPLETE: 5,
  SEV_TIO_EN: 7,
} as const;
export type PlatformInfoBit = keyof typeof PLATFORM_INFO_BITS;

export function platformInfoNames(raw: bigint): string[] {
  const names: string[] = [];
  for (let i = 0; i < 64; i++) {
    if (!bit(raw, i)) continue;
    const known = (Object.entries(PLATFORM_INFO_BITS) as [PlatformInfoBit, number][]).find(([, n]) => n === i);
    names.push(known ? known[0] : `bit ${i}`);
  }
  return names;
}

export type SigningKey = "VCEK" | "VLEK" | "none";

export interface SignerInfo {
  readonly raw: number;
  readonly authorKeyEn: boolean;
  readonly maskChipKey: boolean;
  readonly signingKey: SigningKey;
}

/** Decodes the signer info word, or undefined for a reserved signing-key value (2..6) or MBZ bits set. */
export function decodeSignerInfo(raw: number): SignerInfo | undefined {
  if (raw >>> 5 !== 0) return undefined;
  const key = (raw >>> 2) & 7;
  const signingKey: SigningKey | undefined = key === 0 ? "VCEK" : key === 1 ? "VLEK" : key === 7 ? "none" : undefined;
  if (signingKey === undefined) return undefined;
  return { raw, authorKeyEn: (raw & 1) === 1, maskChipKey: (raw & 2) === 2, signingKey };
}
