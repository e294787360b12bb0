import { fromHex, toHex } from "../../util/bytes.js";
import { sha256 } from "../../util/digest.js";
import { attributed } from "../../util/errors.js";
import { firmwareFromValues } from "../../measure/compose.js";
import { EMPTY_SHA256, cmdlineBytes, type KernelHashes } from "../../measure/sev-hashes.js";
import { snpLaunchDigests } from "../../measure/snp/launch.js";
import type { ComposeReport } from "../../schema/launch-digest-report.js";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues, type FirmwareValues } from "../../schema/reference-values.js";
import { COMMON_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { readInputFile } from "../input.js";
import { configurationRecord, configurationTable } from "../launch-digest/report.js";
import { configurationsFor, parseConfigurationOptions } from "../launch-digest/request.js";
import { emit, json, warn } from "../output.js";

const NAME = "measure compose";
const OPTIONS = {
  "reference-values": { type: "string", value: "FILE", description: "reference-values document with the firmware (required)" },
  firmware: { type: "string", value: "NAME", description: "firmware component (default: the document's only firmware)" },
  boot: { type: "string", value: "NAME", description: "kernel component of the document whose kernel-hashes entries to boot" },
  "kernel-digest": { type: "string", value: "HEX", description: "SHA-256 of the bzImage (kernel-hashes table kernel entry)" },
  "initrd-digest": { type: "string", value: "HEX", description: "SHA-256 of the initrd (default: no initrd)" },
  cmdline: { type: "string", value: "CMDLINE", description: "kernel command line, hashed with its NUL as QEMU does" },
  "cmdline-digest": { type: "string", value: "HEX", description: "SHA-256 of the command line with its NUL, instead of --cmdline" },
  vcpus: { type: "string", value: "N", description: "vCPU count(s): 4, 1-512, 1,2,4,64 (required)" },
  "vcpu-type": { type: "string", value: "CPUTYPE", description: "QEMU CPU model(s), comma list or 'all'" },
  "vcpu-sig": { type: "string", value: "VALUE", description: "vCPU signature" },
  "vcpu-family": { type: "string", value: "FAMILY", description: "vCPU family (with model and stepping)" },
  "vcpu-model": { type: "string", value: "MODEL", description: "vCPU model" },
  "vcpu-stepping": { type: "string", value: "STEPPING", description: "vCPU stepping" },
  "vmm-type": { type: "string", value: "VMMTYPE", description: "QEMU (default), ec2, gce, or a comma list" },
  "guest-features": { type: "string", value: "VALUE", description: "VMSA SEV_FEATURES (default 0x1), or a comma list" },
  "ec2-legacy-rdx": { type: "boolean", description: "EC2 VMSA with RDX 0 (virtee/sev crate)" },
  "cmdline-trim": { type: "boolean", description: "strip whitespace around --cmdline before hashing (virtee/sev crate)" },
  "vmsa-gpa": { type: "string", value: "ADDR", description: "VMSA page GPA: 0x..., kvm (default) or gce-genoa" },
  "signature-convention": { type: "string", value: "NAME", description: "cpuid (default) or oak" },
  out: { type: "string", value: "FILE", description: "write the result to FILE (atomically) instead of stdout" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

function sha256Option(option: string, text: string): Uint8Array {
  const bytes = fromHex(text);
  if (bytes === undefined || bytes.byteLength !== 32) throw new UsageError(`expected 64 hex digits (a SHA-256 digest), got '${text}'`, option);
  return bytes;
}

function pickFirmware(values: ReferenceValues, name: string | undefined): FirmwareValues {
  const firmwares = values.components.filter((c): c is FirmwareValues => c.kind === "firmware");
  if (name !== undefined) {
    const found = firmwares.find((c) => c.name === name);
    if (!found) throw new UsageError(`no firmware component '${name}' (firmware: ${firmwares.map((f) => f.name).join(", ") || "none"})`, "--firmware");
    return found;
  }
  if (firmwares.length !== 1) throw new UsageError(`the document has ${firmwares.length} firmware components: name one with --firmware`);
  return firmwares[0]!;
}

type Options = ReturnType<typeof parseOptions<typeof OPTIONS>>["options"];

/** The kernel-hashes table entries to compose: a kernel component of the document, or explicit digests. */
function bootHashes(o: Options, values: ReferenceValues): { hashes: KernelHashes; cmdlineValue: string | null } | undefined {
  const explicit = ["kernel-digest", "initrd-digest", "cmdline", "cmdline-digest"] as const;
  if (o.boot !== undefined) {
    const given = explicit.find((k) => o[k] !== undefined);
    if (given) throw new UsageError(`--boot and --${given} exclude each other`);
    const kernel = values.components.find((c) => c.kind === "kernel" && c.name === o.boot);
    if (kernel?.kind !== "kernel") throw new UsageError(`no kernel component '${o.boot}' in the document`, "--boot");
    const h = kernel.qemuKernelHashes;
    return {
      hashes: { kernel: fromHex(h.kernel)!, initrd: fromHex(h.initrd)!, cmdline: o["cmdline-trim"] ? sha256(cmdlineBytes(kernel.cmdline?.value, { trim: true })) : fromHex(h.cmdline)! },
      cmdlineValue: kernel.cmdline?.value ?? null,
    };
  }
  if (o["kernel-digest"] === undefined) {
    const given = explicit.find((k) => o[k] !== undefined);
    if (given) throw new UsageError(`--kernel-digest required when using --${given}`);
    return undefined;
  }
  if (o.cmdline !== undefined && o["cmdline-digest"] !== undefined) throw new UsageError("--cmdline and --cmdline-digest exclude each other");
  return {
    hashes: {
      kernel: sha256Option("--kernel-digest", o["kernel-digest"]),
      initrd: o["initrd-digest"] === undefined ? EMPTY_SHA256 : sha256Option("--initrd-digest", o["initrd-digest"]),
      cmdline:
        o["cmdline-digest"] !== undefined
          ? sha256Option("--cmdline-digest", o["cmdline-digest"])
          : sha256(cmdlineBytes(o.cmdline, { trim: o["cmdline-trim"] ?? false })),
    },
    cmdlineValue: o.cmdline ?? null,
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const { options: o, positionals } = parseOptions(NAME, argv, OPTIONS);
  if (o.help) {
    process.stdout.write(helpText(`reftrail ${NAME} --reference-values FILE --vcpus N [--boot KERNEL | --kernel-digest HEX ...] [options]`,
      "Recomputes SNP launch digests of a published firmware for any kernel, initrd, command line and vCPU count, from its reference values alone (no firmware bytes).", OPTIONS));
    return ExitCode.OK;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (see 'reftrail ${NAME} --help')`);
  const path = o["reference-values"];
  if (path === undefined) throw new UsageError("the following argument is required: --reference-values");
  if (o.vcpus === undefined) throw new UsageError("missing --vcpus N");
  const warnings: string[] = [];
  const parsed = parseConfigurationOptions(o);
  const configurations = configurationsFor("snp", parsed, warnings);
  const values = parseDocument(ReferenceValues, new TextDecoder().decode(readInputFile("--reference-values", path, 64 << 20)), `--reference-values ${path}`);
  const firmware = pickFirmware(values, o.firmware);
  const boot = bootHashes(o, values);
  const { layout, firmwareDigest } = firmwareFromValues(firmware);
  const conventions = { ec2LegacyRdx: o["ec2-legacy-rdx"] ?? false, vmsaGpa: parsed.vmsaGpa };
  const { digests } = attributed(`--reference-values ${path}: firmware '${firmware.name}'`, () =>
    snpLaunchDigests({ firmware: layout, firmwareDigest, kernelHashes: boot?.hashes, conventions }, configurations, parsed.vcpuCounts),
  );
  const records = configurations.map((c, i) => configurationRecord("snp", c, digests[i]!));
  const report: ComposeReport = {
    version: 1,
    mode: "snp",
    referenceValues: path,
    release: values.release,
    firmware: { component: firmware.name, version: firmware.version, sha256: firmware.subject.digest.sha256!, snpFirmwareDigest: firmware.layout.snpFirmwareDigest },
    boot: boot ? { kernel: toHex(boot.hashes.kernel), initrd: toHex(boot.hashes.initrd), cmdline: toHex(boot.hashes.cmdline), cmdlineValue: boot.cmdlineValue } : null,
    conventions: { ec2LegacyRdx: conventions.ec2LegacyRdx, cmdlineTrim: o["cmdline-trim"] ?? false, vmsaGpa: `0x${parsed.vmsaGpa.toString(16)}`, signatureConvention: parsed.signatureConvention },
    configurations: records,
  };
  const single = records.length === 1 && Object.keys(records[0]!.digests).length === 1;
  emit(o.json ? json(report) : single ? `${Object.values(records[0]!.digests)[0]}\n` : configurationTable("snp", records), o.out);
  if (!o.json) for (const w of warnings) warn(w);
  return ExitCode.OK;
}

export const command: Command = { run };
