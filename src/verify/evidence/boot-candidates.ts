import { cmdlineBytes } from "../../measure/sev-hashes.js";
import type { ComponentRule, EvidencePolicy } from "../../schema/evidence-policy.js";
import type { ComponentValues, FirmwareValues, KernelValues } from "../../schema/reference-values.js";
import { toHex } from "../../util/bytes.js";
import { sha256 } from "../../util/digest.js";
import type { EndorsedValue } from "./endorsements.js";
import type { BootCandidate, BoundValue } from "./launch-match.js";

type Kind = "firmware" | "kernel" | "initrd" | "cmdline";

/** The policy's component of a kind, if it lists one. */
export function componentOf(policy: EvidencePolicy, kind: Kind): { name: string; rule: ComponentRule } | undefined {
  const entry = Object.entries(policy.components).find(([, r]) => r.kind === kind);
  return entry && { name: entry[0], rule: entry[1] };
}

/** Which endorsement a value came from: its source, with its log index unless the source is the log itself. */
const origin = (v: EndorsedValue) => `endorsement ${v.outcome.source}${v.outcome.logIndex !== undefined && !v.outcome.source.includes(" index ") ? ` (log index ${v.outcome.logIndex})` : ""}`;

/** The kernel-hashes table entry a component's value gives, by kind. */
export function tableEntry(values: ComponentValues): string | undefined {
  switch (values.kind) {
    case "kernel":
      return values.qemuKernelHashes.kernel;
    case "initrd":
      return values.subject.digest.sha256;
    case "cmdline":
      return values.cmdline.sha256WithNul;
    default:
      return undefined;
  }
}

/** The values a policy component may take: each accepted endorsement's, or the literal. */
function valuesOf(policy: EvidencePolicy, kind: Exclude<Kind, "firmware">, endorsed: readonly EndorsedValue[]): BoundValue[] | undefined {
  const named = componentOf(policy, kind);
  if (named === undefined || named.rule.skip !== undefined) return undefined;
  const { name, rule } = named;
  if (rule.digest !== undefined) return rule.digest.sha256 === undefined ? [] : [{ component: name, sha256: rule.digest.sha256, origin: "policy literal" }];
  if (rule.value !== undefined) return [{ component: name, sha256: toHex(sha256(cmdlineBytes(rule.value))), origin: "policy literal" }];
  return endorsed.filter((v) => v.component === name && v.values.kind === kind).flatMap((v) => {
    const entry = tableEntry(v.values);
    return entry === undefined ? [] : [{ component: name, sha256: entry, origin: origin(v), endorsement: v.outcome }];
  });
}

/**
 * Every boot the policy allows with the accepted values: each firmware alone, and, for direct
 * boots, each firmware with each kernel, initrd and command line. An initrd or command line the
 * policy does not take from anywhere (not listed, or skipped) is the one the kernel's own
 * endorsement records: the launch digest covers it either way, so it must be known.
 */
export function bootCandidates(policy: EvidencePolicy, endorsed: readonly EndorsedValue[]): BootCandidate[] {
  const firmwareName = componentOf(policy, "firmware")?.name;
  const firmwares = endorsed.filter((v): v is EndorsedValue & { values: FirmwareValues } => v.component === firmwareName && v.values.kind === "firmware");
  const candidates: BootCandidate[] = firmwares.map((f) => ({ firmware: { component: f.component, values: f.values, origin: origin(f), endorsement: f.outcome } }));
  if (!policy.boot.some((b) => b.kernelHashes)) return candidates;
  const kernels = valuesOf(policy, "kernel", endorsed) ?? [];
  const initrds = valuesOf(policy, "initrd", endorsed);
  const cmdlines = valuesOf(policy, "cmdline", endorsed);
  const kernelRecord = (kernel: BoundValue): KernelValues | undefined =>
    endorsed.find((v): v is EndorsedValue & { values: KernelValues } => v.values.kind === "kernel" && v.component === kernel.component && v.values.qemuKernelHashes.kernel === kernel.sha256)?.values;
  for (const f of firmwares) {
    for (const kernel of kernels) {
      const recorded = kernelRecord(kernel);
      const ownInitrd = recorded && { component: `${kernel.component} (its recorded initrd)`, sha256: recorded.qemuKernelHashes.initrd, origin: kernel.origin };
      const ownCmdline = recorded && { component: `${kernel.component} (its recorded command line)`, sha256: recorded.qemuKernelHashes.cmdline, origin: kernel.origin };
      for (const initrd of initrds ?? (ownInitrd ? [ownInitrd] : [undefined])) {
        for (const cmdline of cmdlines ?? (ownCmdline ? [ownCmdline] : [])) {
          candidates.push({ firmware: { component: f.component, values: f.values, origin: origin(f), endorsement: f.outcome }, kernel: { kernel, initrd, cmdline } });
        }
      }
    }
  }
  return candidates;
}
