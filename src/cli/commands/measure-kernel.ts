import { hexDigests, withSha256 } from "../../util/digest.js";
import { attributed } from "../../util/errors.js";
import { kernelRecord, measureKernel } from "../../measure/kernel/kernel.js";
import type { KernelMeasurement } from "../../schema/kernel-measurement.js";
import { parseAlgorithms } from "../algorithms.js";
import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { digestInputFile } from "../file-digests.js";
import { fileSubject, readInputFile } from "../input.js";
import { emit, formatTable, json } from "../output.js";

const NAME = "measure kernel";
const OPTIONS = {
  kernel: { type: "string", value: "FILE", description: "bzImage, or unified kernel image (PE with .linux/.initrd/.cmdline) (required)" },
  initrd: { type: "string", value: "FILE", description: "initrd the VMM passes (QEMU -initrd)" },
  append: { type: "string", value: "CMDLINE", description: "kernel command line the VMM passes (QEMU -append)" },
  "no-setup-data-modifications": { type: "boolean", description: "hash the setup data without QEMU's loader edits (QEMU with SEV)" },
  algorithms: { type: "string", value: "LIST", description: "sha256 (always), plus sha384 and/or sha512, comma-separated" },
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

/** Kernels are read whole (the setup part is patched before hashing); bzImages are tens of MiB. */
const MAX_KERNEL_BYTES = 1 << 30;

async function run(argv: readonly string[]): Promise<number> {
  const { options: o, positionals } = parseOptions(NAME, argv, OPTIONS);
  if (o.help) {
    process.stdout.write(helpText(`reftrail ${NAME} --kernel FILE [--initrd FILE] [--append CMDLINE] [options]`,
      "Kernel reference values: Oak's kernel image and setup-data digests, its initrd and command-line values, and QEMU's kernel-hashes table entries.", OPTIONS));
    return ExitCode.OK;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (see 'reftrail ${NAME} --help')`);
  if (o.kernel === undefined) throw new UsageError("the following argument is required: --kernel");
  const algorithms = withSha256(parseAlgorithms(o.algorithms));
  const file = readInputFile("--kernel", o.kernel, MAX_KERNEL_BYTES);
  const kernel = attributed(fileSubject("--kernel", o.kernel), () =>
    measureKernel(file, { setupDataModifications: !o["no-setup-data-modifications"], algorithms }),
  );
  if (kernel.uki?.initrd !== undefined && o.initrd !== undefined) throw new UsageError("the UKI carries its own .initrd; drop --initrd", "--initrd");
  if (kernel.uki?.cmdline !== undefined && o.append !== undefined) throw new UsageError("the UKI carries its own .cmdline; drop --append", "--append");
  const initrd =
    o.initrd === undefined ? undefined : { source: o.initrd, digests: hexDigests((await digestInputFile("--initrd", o.initrd, algorithms)).digests) };
  const report: KernelMeasurement = {
    version: 1,
    file: { path: o.kernel, size: file.byteLength, digests: hexDigests(kernel.file) },
    ...(kernel.uki ? { uki: { sections: [...kernel.uki.sections] } } : {}),
    ...kernelRecord(kernel, { initrd, cmdline: o.append === undefined ? undefined : { source: "--append", value: o.append } }),
  };
  emit(o.json ? json(report) : kernelText(report), o.out);
  return ExitCode.OK;
}

function kernelText(r: KernelMeasurement): string {
  const rows: string[][] = [];
  const add = (what: string, digests: Record<string, string | undefined>) => {
    for (const [a, d] of Object.entries(digests)) if (d !== undefined) rows.push([what, a, d]);
  };
  const k = r.kernel;
  add("kernel image (Oak kernel_measurement)", k.kernelImage);
  add(`setup data (${k.setupDataModifications ? "with" : "without"} QEMU loader edits; Oak setup_data_digest)`, k.setupData);
  add(`bzImage${k.format === "uki" ? " (.linux)" : ""} (Oak bz_image)`, k.bzImage);
  if (r.initrd) add(`initrd ${r.initrd.source} (Oak ram_disk_digest)`, r.initrd.digests);
  if (r.cmdline) rows.push([`cmdline from ${r.cmdline.source}, without NUL (Oak kernel_cmdline)`, "sha256", r.cmdline.sha256]);
  for (const [entry, d] of Object.entries(r.qemuKernelHashes)) rows.push([`kernel-hashes table: ${entry}`, "sha256", d]);
  const head = `${r.file.path}: ${k.format}, boot protocol ${k.bootProtocol}, setup ${k.setupSects} sectors${r.cmdline ? `, cmdline "${r.cmdline.value}"` : ""}\n`;
  return head + formatTable(["value", "algorithm", "digest"], rows);
}

export const command: Command = { run };
