import { fromHex } from "../../util/bytes.js";
import {
  NO_IDENTITY,
  expandConfigurations,
  identitiesFromTypes,
  identityFromFms,
  vmmTypes,
  type NamedConfiguration,
  type VcpuIdentity,
} from "../../measure/configurations.js";
import { MeasureError } from "../../measure/errors.js";
import { attributed } from "../../util/errors.js";
import { LAUNCH_MODES, type LaunchMode } from "../../measure/launch.js";
import { DEFAULT_VMSA_GPA } from "../../measure/snp/page-info.js";
import type { SignatureConvention } from "../../measure/vcpu-types.js";
import { parseVcpuCounts } from "../../schema/launch-vocabulary.js";
import { parseInteger, parseSmallInteger, splitList, type ParsedOptions } from "../args.js";
import { UsageError } from "../errors.js";
import type { LAUNCH_DIGEST_OPTIONS } from "./options.js";

type Options = ParsedOptions<typeof LAUNCH_DIGEST_OPTIONS>;

/** What `measure launch-digest` was asked to compute, validated, before any file is read. */
export interface LaunchDigestRequest {
  readonly mode: LaunchMode;
  readonly ovmfPath: string;
  readonly vcpuCounts: readonly number[];
  readonly configurations: readonly NamedConfiguration[];
  readonly kernel?: { readonly path: string; readonly initrdPath: string | undefined; readonly append: string | undefined };
  readonly precomputedFirmwareDigest?: Uint8Array;
  readonly svsm?: { readonly path: string; readonly varsSize: number | undefined; readonly varsFile: string | undefined };
  readonly encoding: "hex" | "base64";
  readonly dumpVmsa: boolean;
  readonly ec2LegacyRdx: boolean;
  readonly cmdlineTrim: boolean;
  readonly vmsaGpa: number;
  readonly signatureConvention: SignatureConvention;
  readonly warnings: string[];
}

const MAX_U64 = (1n << 64n) - 1n;
const VMSA_GPA_PRESETS: Readonly<Record<string, number>> = { kvm: DEFAULT_VMSA_GPA, "gce-genoa": 0xf_ffff_ffff_f000 };

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`invalid choice '${value}' (choose from ${allowed.join(", ")})`, option);
  }
  return value as T;
}

/** Options shared by commands that pick launch configurations (launch-digest, compose). */
export interface ConfigurationOptions {
  readonly "vcpu-type"?: string;
  readonly "vcpu-sig"?: string;
  readonly "vcpu-family"?: string;
  readonly "vcpu-model"?: string;
  readonly "vcpu-stepping"?: string;
  readonly "vmm-type"?: string;
  readonly "guest-features"?: string;
  readonly "signature-convention"?: string;
  readonly "vmsa-gpa"?: string;
  readonly vcpus?: string;
}

/** sev-snp-measure's precedence: family/model/stepping, then --vcpu-sig, then --vcpu-type. */
function vcpuIdentities(o: ConfigurationOptions, convention: SignatureConvention): VcpuIdentity[] {
  const fms = [o["vcpu-family"], o["vcpu-model"], o["vcpu-stepping"]];
  const types = o["vcpu-type"] === undefined ? [] : attributed("--vcpu-type", () => identitiesFromTypes(splitList(o["vcpu-type"]!), convention));
  const signature = o["vcpu-sig"] === undefined ? undefined : Number(parseInteger("--vcpu-sig", o["vcpu-sig"], 0xffffffffn));
  if (fms.some((v) => v !== undefined)) {
    if (fms.some((v) => v === undefined)) {
      throw new UsageError("--vcpu-family, --vcpu-model and --vcpu-stepping go together: give all three");
    }
    const family = parseSmallInteger("--vcpu-family", fms[0]!, 0xff + 0xf);
    const model = parseSmallInteger("--vcpu-model", fms[1]!, 0xff);
    const stepping = parseSmallInteger("--vcpu-stepping", fms[2]!, 0xf);
    return [identityFromFms({ family, model, stepping }, convention)];
  }
  if (signature !== undefined) return [{ vcpuType: null, vcpuSignature: signature }];
  return types.length ? types : [NO_IDENTITY];
}

/** The validated configuration-selecting flags, whatever the mode will use of them. */
export function parseConfigurationOptions(o: ConfigurationOptions) {
  const signatureConvention = oneOf("--signature-convention", o["signature-convention"] ?? "cpuid", ["cpuid", "oak"] as const);
  const vmms = attributed("--vmm-type", () => vmmTypes(splitList(o["vmm-type"] ?? "QEMU")));
  const guestFeatures = splitList(o["guest-features"] ?? "0x1").map((g) => parseInteger("--guest-features", g, MAX_U64));
  const identities = vcpuIdentities(o, signatureConvention);
  const vmsaGpaText = o["vmsa-gpa"] ?? "kvm";
  const vmsaGpa = Object.hasOwn(VMSA_GPA_PRESETS, vmsaGpaText)
    ? VMSA_GPA_PRESETS[vmsaGpaText]!
    : Number(parseInteger("--vmsa-gpa", vmsaGpaText, 0xf_ffff_ffff_f000n));
  if (vmsaGpa === 0 || vmsaGpa % 4096 !== 0) throw new UsageError(`${vmsaGpaText} is not a non-zero page-aligned address`, "--vmsa-gpa");
  const vcpuCounts = o.vcpus === undefined ? [] : attributed("--vcpus", () => parseVcpuCounts(o.vcpus!));
  return { signatureConvention, vmms, guestFeatures, identities, vmsaGpa, vcpuCounts };
}

/** Expands the flags into configurations, with sev-snp-measure's usage error when QEMU lacks a vCPU. */
export function configurationsFor(mode: LaunchMode, parsed: ReturnType<typeof parseConfigurationOptions>, warnings: string[]): NamedConfiguration[] {
  let expanded;
  try {
    expanded = expandConfigurations(mode, parsed.vmms, parsed.identities, parsed.guestFeatures);
  } catch (err) {
    if (err instanceof MeasureError && err.code === "VCPU_SIGNATURE_REQUIRED") {
      throw new UsageError(`missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '${mode}' (needed by VMM QEMU)`);
    }
    throw err;
  }
  if (!parsed.vmms.includes("QEMU")) for (const vmm of expanded.ignored) warnings.push(`VMM ${vmm} ignores the vCPU type and signature, as sev-snp-measure does`);
  return expanded.configurations;
}

/** Turns the command line into a request, rejecting every inconsistent or malformed flag. */
export function launchDigestRequest(o: Options): LaunchDigestRequest {
  if (o.mode === undefined) throw new UsageError("the following argument is required: --mode");
  const mode = oneOf("--mode", o.mode, LAUNCH_MODES);
  if (o.ovmf === undefined) throw new UsageError("the following argument is required: --ovmf");
  const warnings: string[] = [];
  const requestedEncoding = oneOf("--output-format", o["output-format"] ?? "hex", ["hex", "base64"] as const);
  // sev-snp-measure prints the firmware hash in hex whatever --output-format says; it is an input to --snp-ovmf-hash.
  const encoding = mode === "snp:ovmf-hash" ? "hex" : requestedEncoding;
  // Every flag given is validated whatever the mode, as argparse does, even where the mode ignores it.
  const parsed = parseConfigurationOptions(o);
  const { signatureConvention, vmms, vmsaGpa, vcpuCounts } = parsed;
  const varsSize = o["vars-size"] === undefined ? undefined : parseSmallInteger("--vars-size", o["vars-size"], 0xffffffff);

  const precomputedText = o["snp-ovmf-hash"];
  let precomputedFirmwareDigest: Uint8Array | undefined;
  if (precomputedText !== undefined) {
    if (mode !== "snp") throw new UsageError(`a precomputed firmware hash only works with --mode snp, not ${mode}`, "--snp-ovmf-hash");
    precomputedFirmwareDigest = fromHex(precomputedText);
    if (precomputedFirmwareDigest === undefined || precomputedFirmwareDigest.byteLength !== 48) {
      throw new UsageError(`expected 96 hex digits (a SHA-384 launch digest), got '${precomputedText}'`, "--snp-ovmf-hash");
    }
  }
  const base = {
    mode,
    ovmfPath: o.ovmf,
    encoding,
    dumpVmsa: o["dump-vmsa"] ?? false,
    ec2LegacyRdx: o["ec2-legacy-rdx"] ?? false,
    cmdlineTrim: o["cmdline-trim"] ?? false,
    vmsaGpa,
    signatureConvention,
    warnings,
    ...(precomputedFirmwareDigest ? { precomputedFirmwareDigest } : {}),
  };
  if (mode === "snp:ovmf-hash") return { ...base, vcpuCounts: [], configurations: [] };

  if (o.initrd !== undefined && o.kernel === undefined) throw new UsageError("--kernel required when using --initrd");
  if (o.append !== undefined && o.kernel === undefined) throw new UsageError("--kernel required when using --append");
  if (mode !== "sev" && o.vcpus === undefined) throw new UsageError(`missing --vcpus N in guest mode '${mode}'`);
  if (base.dumpVmsa && mode === "sev") throw new UsageError("--dump-vmsa is not available in guest mode 'sev' (no VMSA is measured)");
  if (vcpuCounts.length === 1 && vcpuCounts[0] === 0 && mode !== "sev") {
    warnings.push("--vcpus 0 measures no VMSA at all; no real guest launches without a vCPU");
  }
  const kernel = o.kernel === undefined ? {} : { kernel: { path: o.kernel, initrdPath: o.initrd, append: o.append } };
  if (mode === "sev") return { ...base, ...kernel, vcpuCounts: [], configurations: [] };

  const configs = configurationsFor(mode, parsed, warnings);
  if (base.dumpVmsa && configs.length > 1) throw new UsageError("--dump-vmsa needs a single configuration (one VMM type, vCPU type and guest features value)");
  if (mode !== "snp:svsm") return { ...base, ...kernel, vcpuCounts, configurations: configs };

  if (vmms.some((v) => v !== "QEMU")) throw new UsageError("snp:svsm mode is only implemented for --vmm-type QEMU");
  if (o.kernel !== undefined) throw new UsageError("snp:svsm mode does not measure a kernel");
  if (o.svsm === undefined) throw new UsageError("snp:svsm mode requires --svsm");
  if (o["vars-size"] !== undefined && o["vars-file"] !== undefined) throw new UsageError("--vars-size and --vars-file exclude each other");
  if (o["vars-size"] === undefined && o["vars-file"] === undefined) throw new UsageError("snp:svsm mode requires --vars-size or --vars-file");
  return {
    ...base,
    vcpuCounts,
    configurations: configs,
    svsm: { path: o.svsm, varsSize, varsFile: o["vars-file"] },
  };
}
