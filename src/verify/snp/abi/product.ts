import { SnpError } from "../errors.js";

/** The EPYC generations reftrail knows the TCB layout and AMD roots of. */
export const PRODUCTS = ["Milan", "Genoa", "Turin"] as const;
export type Product = (typeof PRODUCTS)[number];

export interface Cpuid {
  /** Extended family + base family (0x19 Milan/Genoa, 0x1A Turin). */
  readonly family: number;
  /** Extended model << 4 | model. */
  readonly model: number;
  readonly stepping: number;
}

/**
 * The product from a v3+ report's CPUID bytes, by model ranges (virtee's `identify_cpu`, which
 * also knows Genoa's 0xA0-0xAF models that a table of exact models misses). Venice and anything
 * else unknown is refused: its TCB layout differs.
 */
export function productFromCpuid(cpuid: Cpuid): Product {
  const { family, model } = cpuid;
  if (family === 0x19 && model <= 0x0f) return "Milan";
  if (family === 0x19 && ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf))) return "Genoa";
  if (family === 0x1a && model <= 0x11) return "Turin";
  throw new SnpError("PRODUCT", `CPUID family 0x${family.toString(16)} model 0x${model.toString(16)} is not Milan, Genoa or Turin`);
}

/** The product a VCEK/VLEK productName names ("Milan-B0", "Genoa", "Turin"): the name up to any stepping. */
export function productFromName(name: string): Product | undefined {
  // A stepping suffix is letters and digits ("B0", "C1"); anything else is not a name AMD issues.
  const m = /^([A-Za-z]+)(?:-[A-Z][0-9])?$/.exec(name);
  return PRODUCTS.find((p) => p === m?.[1]);
}
