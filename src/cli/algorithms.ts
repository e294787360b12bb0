import type { DigestAlgorithm } from "../util/digest.js";
import { splitList } from "./args.js";
import { UsageError } from "./errors.js";

const KNOWN: readonly DigestAlgorithm[] = ["sha256", "sha384", "sha512"];

/** `--algorithms sha256,sha384`: known names, no duplicates, in the order given. */
export function parseAlgorithms(text: string | undefined, fallback: readonly DigestAlgorithm[] = ["sha256"]): DigestAlgorithm[] {
  if (text === undefined) return [...fallback];
  const names = splitList(text.toLowerCase().replaceAll("-", ""));
  const result: DigestAlgorithm[] = [];
  for (const name of names) {
    if (!(KNOWN as readonly string[]).includes(name)) {
      throw new UsageError(`unknown digest algorithm '${name}' (choose from ${KNOWN.join(", ")})`, "--algorithms");
    }
    if (result.includes(name as DigestAlgorithm)) throw new UsageError(`'${name}' is listed twice`, "--algorithms");
    result.push(name as DigestAlgorithm);
  }
  return result;
}
