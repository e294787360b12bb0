import { ReftrailError } from "../util/errors.js";

/**
 * The words a launch configuration is written in (VMM types, QEMU CPU models, vCPU counts). The file
 * formats name them, and `measure` computes with them; they live here so that a format never
 * depends on the code that measures.
 */

export const VMM_TYPES = ["QEMU", "ec2", "gce"] as const;
export type VmmType = (typeof VMM_TYPES)[number];

export function isVmmType(name: string): name is VmmType {
  return (VMM_TYPES as readonly string[]).includes(name);
}

/** A CPU model as CPUID Fn0000_0001 EAX identifies it. */
export interface FamilyModelStepping {
  readonly family: number;
  readonly model: number;
  readonly stepping: number;
}

const EPYC: FamilyModelStepping = { family: 23, model: 1, stepping: 2 };
const ROME: FamilyModelStepping = { family: 23, model: 49, stepping: 0 };
const MILAN: FamilyModelStepping = { family: 25, model: 1, stepping: 1 };
const GENOA: FamilyModelStepping = { family: 25, model: 17, stepping: 0 };
const TURIN: FamilyModelStepping = { family: 26, model: 0, stepping: 0 };

/** vCPU types by QEMU's builtin_x86_defs model names, as sev-snp-measure accepts them. */
export const VCPU_TYPES: ReadonlyMap<string, FamilyModelStepping> = new Map([
  ["EPYC", EPYC],
  ["EPYC-v1", EPYC],
  ["EPYC-v2", EPYC],
  ["EPYC-IBPB", EPYC],
  ["EPYC-v3", EPYC],
  ["EPYC-v4", EPYC],
  ["EPYC-Rome", ROME],
  ["EPYC-Rome-v1", ROME],
  ["EPYC-Rome-v2", ROME],
  ["EPYC-Rome-v3", ROME],
  ["EPYC-Milan", MILAN],
  ["EPYC-Milan-v1", MILAN],
  ["EPYC-Milan-v2", MILAN],
  ["EPYC-Genoa", GENOA],
  ["EPYC-Genoa-v1", GENOA],
  ["EPYC-Turin", TURIN],
]);

/** The largest vCPU count reftrail measures; a full sweep is 1-512. */
export const MAX_VCPUS = 512;

/** A vCPU count list that is not one (the code `measure` uses for a bad count too). */
export class VcpuCountError extends ReftrailError<"VCPU_COUNT"> {
  constructor(message: string) {
    super("VCPU_COUNT", message);
  }
}

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
    if (!m) throw new VcpuCountError(`'${text}' is not a vCPU count, range (1-512) or list (1,2,4,64)`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to > MAX_VCPUS) throw new VcpuCountError(`'${part.trim()}' is out of bounds: vCPU counts range from 1 to ${MAX_VCPUS}`);
    if (to < from) throw new VcpuCountError(`range '${part.trim()}' is empty (its end is below its start)`);
    for (let n = from; n <= to; n++) counts.add(n);
  }
  return [...counts].sort((a, b) => a - b);
}
