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

export function decodeTcb(raw: bigint, product: Product): TcbVersion {
  if (product === "Turin") return { raw, fmc: byte(raw, 0), bl: byte(raw, 1), tee: byte(raw, 2), snp: byte(raw, 3), ucode: byte(raw, 7) };
  return { raw, bl: byte(raw, 0), tee: byte(raw, 1), snp: byte(raw, 6), ucode: byte(raw, 7) };
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
