import type { LaunchConfigurationSummary } from "../../schema/audit-history.js";
import type { FirmwareValues } from "../../schema/reference-values.js";
import type { z } from "zod";
import { vcpuRanges } from "../../verify/evidence/policy-init.js";

type Summary = { configurations: number; digests: number; list: z.infer<typeof LaunchConfigurationSummary>[] };

/** What a firmware endorsement publishes: each configuration with its digest per vCPU count, and the totals. */
export function launchDigestSummary(firmware: FirmwareValues): Summary {
  const list = firmware.launchDigests.map((c): z.infer<typeof LaunchConfigurationSummary> => {
    const boot = c.boot === null ? null : c.boot.kernel;
    if (c.mode === "sev") return { mode: "sev", vmm: null, vcpu: null, guestFeatures: null, boot, vcpus: "any", digests: 1, byVcpus: { any: c.digest } };
    const counts = Object.keys(c.digests).map(Number);
    return { mode: c.mode, vmm: c.vmmType, vcpu: c.vcpuType ?? c.vcpuSignature, guestFeatures: c.guestFeatures, boot, vcpus: vcpuRanges(counts), digests: counts.length, byVcpus: { ...c.digests } };
  });
  return { configurations: list.length, digests: list.reduce((n, c) => n + c.digests, 0), list };
}
