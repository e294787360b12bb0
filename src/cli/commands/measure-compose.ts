import { fromHex, toHex } from "../../util/bytes.js";
import { sha256 } from "../../util/digest.js";
import { attributed } from "../../util/errors.js";
import { firmwareFromValues, kernelHashesOf } from "../../measure/compose.js";
import { EMPTY_SHA256, cmdlineBytes, type KernelHashes } from "../../measure/sev-hashes.js";
import { snpLaunchDigests } from "../../measure/snp/launch.js";
import type { ComposeReport } from "../../schema/launch-digest-report.js";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues, type FirmwareValues, type KernelValues } from "../../schema/reference-values.js";
import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { readTextInput } from "../input.js";
import { configurationRecord, configurationTable } from "../launch-digest/report.js";
import { configurationsFor, parseConfigurationOptions } from "../launch-digest/request.js";
import { CONFIGURATION_OPTIONS } from "../launch-digest/options.js";
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
  ...CONFIGURATION_OPTIONS,
  ...OUTPUT_OPTIONS,
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
    if (o["cmdline-trim"]) throw new UsageError("--cmdline-trim applies to --cmdline, not to a kernel component's recorded table entries", "--boot");
    const kernel = values.components.find((c): c is KernelValues => c.kind === "kernel" && c.name === o.boot);
    if (kernel === undefined) throw new UsageError(`no kernel component '${o.boot}' in the document`, "--boot");
    const hashes = kernelHashesOf(kernel);
    return { hashes, cmdlineValue: kernel.cmdline && kernel.cmdline.source !== "uki:.cmdline" ? kernel.cmdline.value : null };
  }
  if (o["kernel-digest"] === undefined) {
    const given = explicit.find((k) => o[k] !== undefined);
    if (given) throw new UsageError(`--kernel-digest required when using --${given}`);
    if (o["cmdline-trim"]) throw new UsageError("--cmdline-trim needs --kernel-digest and --cmdline");
    return undefined;
  }
  if (o.cmdline !== undefined && o["cmdline-digest"] !== undefined) throw new UsageError("--cmdline and --cmdline-digest exclude each other");
  if (o["cmdline-trim"] && o.cmdline === undefined) throw new UsageError("--cmdline-trim needs --cmdline (a digest cannot be trimmed)");
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
  const subject = `--reference-values ${path}`;
  const values = parseDocument(ReferenceValues, readTextInput("--reference-values", path, 64 << 20), subject);
  const firmware = pickFirmware(values, o.firmware);
  const boot = attributed(subject, () => bootHashes(o, values));
  const { layout, firmwareDigest } = attributed(`${subject}: firmware '${firmware.name}'`, () => firmwareFromValues(firmware));
  if (parsed.vcpuCounts.length === 1 && parsed.vcpuCounts[0] === 0) warnings.push("--vcpus 0 measures no VMSA at all; no real guest launches without a vCPU");
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
    warnings,
  };
  const single = records.length === 1 && Object.keys(records[0]!.digests).length === 1;
  emit(o.json ? json(report) : single ? `${Object.values(records[0]!.digests)[0]}\n` : configurationTable("snp", records), o.out);
  if (!o.json) for (const w of warnings) warn(w);
  return ExitCode.OK;
}

export const command: Command = { run };
