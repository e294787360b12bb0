import { UsageError } from "./errors.js";

/** The largest vCPU count reftrail measures; the full sweep is 1-512. */
export const MAX_VCPUS = 512;

/**
 * `--vcpus`: one count, a range `1-512`, a list `1,2,4,64`, or a mix `1-4,8,16-32`. Returns the
 * counts ascending without duplicates. A lone `0` is accepted as sev-snp-measure does (no VMSA).
 */
export function parseVcpuCounts(text: string): number[] {
  const option = "--vcpus";
  if (/^\s*0+\s*$/.test(text)) return [0];
  const counts = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`'${text}' is not a vCPU count, range (1-512) or list (1,2,4,64)`, option);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > MAX_VCPUS) throw new UsageError(`'${part.trim()}' is out of bounds: vCPU counts range from 1 to ${MAX_VCPUS}`, option);
    if (to < from) throw new UsageError(`range '${part.trim()}' is empty (its end is below its start)`, option);
    for (let n = from; n <= to; n++) counts.add(n);
  }
  return [...counts].sort((a, b) => a - b);
}
