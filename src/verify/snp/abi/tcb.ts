import type { Product } from "./product.js";

/**
 * TCB_VERSION, one security patch level per firmware component. The byte layout depends on the
 * product: Milan and Genoa [bl, tee, 0, 0, 0, 0, snp, ucode], Turin [fmc, bl, tee, snp, 0, 0, 0,
 * ucode]. Levels are compared component by component, never as one integer.
 */
export interface TcbVersion {
  readonly raw: bigint;
  readonly bl: number;
  readonly tee: number;
  readonly snp: number;
  readonly ucode: number;
  /** Turin only. */
  readonly fmc?: number;
}

export type TcbComponent = "fmc" | "bl" | "tee" | "snp" | "ucode";

export function tcbComponents(product: Product): readonly TcbComponent[] {
  return product === "Turin" ? ["fmc", "bl", "tee", "snp", "ucode"] : ["bl", "tee", "snp", "ucode"];
}

const byte = (raw: bigint, i: number) => Number((raw >> BigInt(8 * i)) & 0xffn);

/** The byte each component occupies, per layout. */
const MILAN_GENOA_BYTES: Readonly<Partial<Record<TcbComponent, number>>> = { bl: 0, tee: 1, snp: 6, ucode: 7 };
const TURIN_BYTES: Readonly<Partial<Record<TcbComponent, number>>> = { fmc: 0, bl: 1, tee: 2, snp: 3, ucode: 7 };
const layout = (product: Product) => (product === "Turin" ? TURIN_BYTES : MILAN_GENOA_BYTES);

export function decodeTcb(raw: bigint, product: Product): TcbVersion {
  const at = layout(product);
  const levels = Object.fromEntries(tcbComponents(product).map((c) => [c, byte(raw, at[c]!)])) as Record<TcbComponent, number>;
  return { raw, bl: levels.bl, tee: levels.tee, snp: levels.snp, ucode: levels.ucode, ...(product === "Turin" ? { fmc: levels.fmc } : {}) };
}

/** The inverse of decodeTcb: each level at its byte in the product's layout, reserved bytes zero. */
export function encodeTcb(levels: Partial<Record<TcbComponent, number>>, product: Product): bigint {
  const at = layout(product);
  let raw = 0n;
  for (const c of tcbComponents(product)) {
    const level = levels[c] ?? 0;
    if (!Number.isInteger(level) || level < 0 || level > 255) throw new RangeError(`${c} SPL ${level} is not a byte`);
    raw |= BigInt(level) << BigInt(8 * at[c]!);
  }
  return raw;
}

/** The bytes a product's layout leaves reserved; they must be zero. */
export function tcbReservedBits(raw: bigint, product: Product): bigint {
  const reserved = product === "Turin" ? [4, 5, 6] : [2, 3, 4, 5];
  return reserved.reduce((acc, i) => acc | (raw & (0xffn << BigInt(8 * i))), 0n);
}

/** Components of `tcb` below `minimum` (empty when every component is at least the minimum). */
export function tcbShortfall(tcb: TcbVersion, minimum: Partial<Record<TcbComponent, number>>, product: Product): TcbComponent[] {
  return tcbComponents(product).filter((c) => minimum[c] !== undefined && (tcb[c] ?? 0) < minimum[c]!);
}

export function formatTcb(tcb: TcbVersion): string {
  const parts = [...(tcb.fmc !== undefined ? [`fmc ${tcb.fmc}`] : []), `bl ${tcb.bl}`, `tee ${tcb.tee}`, `snp ${tcb.snp}`, `ucode ${tcb.ucode}`];
  return `${parts.join(", ")} (0x${tcb.raw.toString(16).padStart(16, "0")})`;
}
