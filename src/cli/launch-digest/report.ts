import { toBase64, toHex } from "../../util/bytes.js";
import type { DigestsByVcpus } from "../../measure/config.js";
import { VMM_PROFILES } from "../../measure/vmm.js";
import type { LaunchDigestReport } from "../../schema/launch-digest-report.js";
import { formatTable } from "../output.js";
import type { LaunchDigestOutcome } from "./execute.js";
import type { NamedConfiguration } from "../../measure/configurations.js";

const hexInt = (v: number | bigint) => `0x${v.toString(16)}`;

/** sev-snp-measure's names for the modes in its verbose line. */
const VERBOSE_MODE_NAME: Readonly<Record<string, string>> = {
  sev: "SEV",
  seves: "SEV_ES",
  snp: "SEV_SNP",
  "snp:svsm": "SEV_SNP_SVSM",
};

function encoder(outcome: LaunchDigestOutcome): (d: Uint8Array) => string {
  return outcome.request.encoding === "base64" ? toBase64 : toHex;
}

/** One configuration and its per-vCPU digests, as the JSON outputs list them. */
export function configurationRecord(mode: string, config: NamedConfiguration, digests: DigestsByVcpus, encode: (d: Uint8Array) => string = toHex) {
  const usesSignature = VMM_PROFILES[config.vmm].usesVcpuSignature;
  return {
    vmmType: config.vmm,
    vcpuType: usesSignature ? config.vcpuType : null,
    vcpuSignature: usesSignature && config.vcpuSignature !== undefined ? hexInt(config.vcpuSignature) : null,
    guestFeatures: mode === "snp" ? hexInt(config.guestFeatures) : mode === "snp:svsm" ? "0x1" : null,
    digests: Object.fromEntries([...digests].map(([n, d]) => [String(n), encode(d)])),
  };
}

/** The `--json` document (schema: schemas/launch-digest-report.json). */
export function launchDigestReport(outcome: LaunchDigestOutcome): LaunchDigestReport {
  const { request, firmware, svsm, kernelHashes, digests } = outcome;
  const common = {
    version: 1 as const,
    encoding: request.encoding,
    firmware: {
      path: firmware.path,
      sha256: toHex(firmware.sha256),
      size: firmware.size,
      ...(outcome.snpFirmwareDigest ? { snpFirmwareDigest: toHex(outcome.snpFirmwareDigest) } : {}),
    },
    ...(request.precomputedFirmwareDigest ? { precomputedFirmwareDigest: toHex(request.precomputedFirmwareDigest) } : {}),
    ...(svsm ? { svsm: { path: svsm.path, sha256: toHex(svsm.sha256), size: svsm.size, varsSize: svsm.varsSize } } : {}),
    ...(kernelHashes
      ? {
          kernelHashes: {
            kernel: { path: kernelHashes.kernelPath, sha256: toHex(kernelHashes.hashes.kernel) },
            initrd: { path: kernelHashes.initrdPath ?? null, sha256: toHex(kernelHashes.hashes.initrd) },
            cmdline: { value: kernelHashes.append ?? null, sha256: toHex(kernelHashes.hashes.cmdline) },
          },
        }
      : {}),
    conventions: {
      ec2LegacyRdx: request.ec2LegacyRdx,
      cmdlineTrim: request.cmdlineTrim,
      vmsaGpa: hexInt(request.vmsaGpa),
      signatureConvention: request.signatureConvention,
    },
    warnings: [...outcome.warnings],
  };
  if (!digests.perVcpu) {
    return { mode: request.mode as "sev" | "snp:ovmf-hash", ...common, digest: encoder(outcome)(digests.digest) };
  }
  const mode = request.mode as "snp" | "seves" | "snp:svsm";
  const records = request.configurations.map((c, i) => configurationRecord(request.mode, c, digests.digests[i]!, encoder(outcome)));
  if (records.length === 1) return { mode, ...common, ...records[0]! };
  return { mode, ...common, configurations: records };
}

/** Human output: the bare digest when there is exactly one (as sev-snp-measure prints), else a table. */
export function launchDigestText(outcome: LaunchDigestOutcome, verbose: boolean): string {
  const { request, digests } = outcome;
  const encode = encoder(outcome);
  const single = (digest: Uint8Array) => {
    const name = VERBOSE_MODE_NAME[request.mode];
    return verbose && name ? `Calculated ${name} guest measurement: ${encode(digest)}\n` : `${encode(digest)}\n`;
  };
  if (!digests.perVcpu) return single(digests.digest);
  if (digests.digests.length === 1 && digests.digests[0]!.size === 1) return single([...digests.digests[0]!.values()][0]!);
  return configurationTable(request.mode, request.configurations.map((c, i) => configurationRecord(request.mode, c, digests.digests[i]!, encode)));
}

export function describeDigestCount(outcome: LaunchDigestOutcome): string {
  const { digests } = outcome;
  if (!digests.perVcpu) return "1 launch digest";
  const count = digests.digests.reduce((n, m) => n + m.size, 0);
  return `${count} launch digest${count === 1 ? "" : "s"} (${digests.digests.length} configuration${digests.digests.length === 1 ? "" : "s"})`;
}

/** One row per configuration and vCPU count. */
export function configurationTable(mode: string, records: readonly ReturnType<typeof configurationRecord>[]): string {
  const rows = records.flatMap((r) =>
    Object.entries(r.digests).map(([count, digest]) => [r.vmmType, r.vcpuType ?? "-", r.vcpuSignature ?? "-", r.guestFeatures ?? "-", count, digest]),
  );
  return formatTable(["VMM", "vCPU type", "signature", "features", "vCPUs", `${mode} launch digest`], rows);
}
