import { fromHex } from "../../util/bytes.js";
import type { LaunchConfiguration } from "../../measure/config.js";
import { LAUNCH_MODES, type LaunchMode } from "../../measure/launch.js";
import { DEFAULT_VMSA_GPA } from "../../measure/snp/page-info.js";
import { VCPU_TYPES, cpuSignature, type SignatureConvention } from "../../measure/vcpu-types.js";
import { VMM_PROFILES, VMM_TYPES, isVmmType, type VmmType } from "../../measure/vmm.js";
import { parseInteger, parseSmallInteger, splitList, type ParsedOptions } from "../args.js";
import { UsageError } from "../errors.js";
import { parseVcpuCounts } from "../vcpu-counts.js";
import type { LAUNCH_DIGEST_OPTIONS } from "./options.js";

type Options = ParsedOptions<typeof LAUNCH_DIGEST_OPTIONS>;

/** A configuration together with the vCPU type name it was requested by, for reporting. */
export interface NamedConfiguration extends LaunchConfiguration {
  readonly vcpuType: string | null;
}

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

interface VcpuIdentity {
  readonly vcpuType: string | null;
  readonly vcpuSignature: number | undefined;
}

/** sev-snp-measure's precedence: family/model/stepping, then --vcpu-sig, then --vcpu-type. */
function vcpuIdentities(o: Options, convention: SignatureConvention): VcpuIdentity[] {
  const fms = [o["vcpu-family"], o["vcpu-model"], o["vcpu-stepping"]];
  const types =
    o["vcpu-type"] === undefined
      ? []
      : o["vcpu-type"] === "all"
        ? [...VCPU_TYPES.keys()]
        : splitList(o["vcpu-type"]).map((t) => oneOf("--vcpu-type", t, [...VCPU_TYPES.keys()]));
  const signature = o["vcpu-sig"] === undefined ? undefined : Number(parseInteger("--vcpu-sig", o["vcpu-sig"], 0xffffffffn));
  if (fms.some((v) => v !== undefined)) {
    if (fms.some((v) => v === undefined)) {
      throw new UsageError("--vcpu-family, --vcpu-model and --vcpu-stepping go together: give all three");
    }
    const family = parseSmallInteger("--vcpu-family", fms[0]!, 0xff + 0xf);
    const model = parseSmallInteger("--vcpu-model", fms[1]!, 0xff);
    const stepping = parseSmallInteger("--vcpu-stepping", fms[2]!, 0xf);
    return [{ vcpuType: null, vcpuSignature: cpuSignature({ family, model, stepping }, convention) }];
  }
  if (signature !== undefined) return [{ vcpuType: null, vcpuSignature: signature }];
  if (types.length) return types.map((t) => ({ vcpuType: t, vcpuSignature: cpuSignature(VCPU_TYPES.get(t)!, convention) }));
  return [{ vcpuType: null, vcpuSignature: undefined }];
}

function configurations(mode: LaunchMode, vmms: VmmType[], ids: VcpuIdentity[], features: bigint[], warnings: string[]): NamedConfiguration[] {
  const result: NamedConfiguration[] = [];
  const seen = new Set<string>();
  const relevantFeatures = mode === "snp" ? features : [0n];
  for (const vmm of vmms) {
    const usesSignature = VMM_PROFILES[vmm].usesVcpuSignature;
    if (usesSignature && ids.some((id) => id.vcpuSignature === undefined)) {
      throw new UsageError(`missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '${mode}' (needed by VMM ${vmm})`);
    }
    if (!usesSignature && ids.some((id) => id.vcpuSignature !== undefined) && !vmms.includes("QEMU")) {
      warnings.push(`VMM ${vmm} ignores the vCPU type and signature, as sev-snp-measure does`);
    }
    for (const id of usesSignature ? ids : [{ vcpuType: null, vcpuSignature: undefined }]) {
      for (const guestFeatures of relevantFeatures) {
        const key = `${vmm}/${id.vcpuType}/${id.vcpuSignature}/${guestFeatures}`;
        if (seen.has(key)) continue;
        seen.add(key);
        result.push({ vmm, vcpuType: id.vcpuType, vcpuSignature: id.vcpuSignature, guestFeatures });
      }
    }
  }
  return result;
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
  const signatureConvention = oneOf("--signature-convention", o["signature-convention"] ?? "cpuid", ["cpuid", "oak"] as const);
  const vmms = splitList(o["vmm-type"] ?? "QEMU").map((v) => {
    if (!isVmmType(v)) throw new UsageError(`unknown VMM type '${v}' (choose from ${VMM_TYPES.join(", ")})`, "--vmm-type");
    return v;
  });
  const guestFeatures = splitList(o["guest-features"] ?? "0x1").map((g) => parseInteger("--guest-features", g, MAX_U64));
  const ids = vcpuIdentities(o, signatureConvention);
  const vmsaGpaText = o["vmsa-gpa"] ?? "kvm";
  const vmsaGpa = Object.hasOwn(VMSA_GPA_PRESETS, vmsaGpaText)
    ? VMSA_GPA_PRESETS[vmsaGpaText]!
    : Number(parseInteger("--vmsa-gpa", vmsaGpaText, 0xf_ffff_ffff_f000n));
  if (vmsaGpa === 0 || vmsaGpa % 4096 !== 0) throw new UsageError(`${vmsaGpaText} is not a non-zero page-aligned address`, "--vmsa-gpa");
  // Every flag given is validated whatever the mode, as argparse does, even where the mode ignores it.
  const vcpuCounts = o.vcpus === undefined ? [] : parseVcpuCounts(o.vcpus);
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

  const configs = configurations(mode, vmms, ids, guestFeatures, warnings);
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
