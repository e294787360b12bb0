import { MeasureError } from "./errors.js";

/** The largest vCPU count reftrail measures; a full sweep is 1-512. */
export const MAX_VCPUS = 512;

/**
 * vCPU counts as written on a command line or in a manifest: one count, a range `1-512`, a list
 * `1,2,4,64`, or a mix `1-4,8,16-32`. Returns them ascending without duplicates. A lone `0` is
 * accepted as sev-snp-measure accepts it (no VMSA measured).
 */
export function parseVcpuCounts(text: string): number[] {
  if (/^\s*0+\s*$/.test(text)) return [0];
  const counts = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new MeasureError("VCPU_COUNT", `'${text}' is not a vCPU count, range (1-512) or list (1,2,4,64)`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > MAX_VCPUS) throw new MeasureError("VCPU_COUNT", `'${part.trim()}' is out of bounds: vCPU counts range from 1 to ${MAX_VCPUS}`);
    if (to < from) throw new MeasureError("VCPU_COUNT", `range '${part.trim()}' is empty (its end is below its start)`);
    for (let n = from; n <= to; n++) counts.add(n);
  }
  return [...counts].sort((a, b) => a - b);
}
