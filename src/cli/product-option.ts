import { PRODUCTS, type Product } from "../verify/snp/abi/product.js";
import { UsageError } from "./errors.js";

/** `--product NAME`, in any case (the files themselves are read by verify/load/snp.ts). */
export function productOption(text: string | undefined): Product | undefined {
  if (text === undefined) return undefined;
  const product = PRODUCTS.find((p) => p.toLowerCase() === text.toLowerCase());
  if (product === undefined) throw new UsageError(`'${text}' is not one of ${PRODUCTS.join(", ")}`, "--product");
  return product;
}
