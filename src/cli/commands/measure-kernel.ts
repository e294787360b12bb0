import { toHex } from "../../util/bytes.js";
import { sha256 } from "../../util/digest.js";
import { attributed } from "../../util/errors.js";
import type { DigestAlgorithm } from "../../util/digest.js";
import { EMPTY_SHA256 } from "../../measure/sev-hashes.js";
import { cmdlineDigests, digestsOf, measureKernel, type Digests, type KernelDigests } from "../../measure/kernel/kernel.js";
import type { KernelMeasurement } from "../../schema/kernel-measurement.js";
import { parseAlgorithms } from "../algorithms.js";
import { COMMON_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { digestInputFile } from "../file-digests.js";
import { fileSubject, readInputFile } from "../input.js";
import { emit, formatTable, json } from "../output.js";

const NAME = "measure kernel";
const OPTIONS = {
  kernel: { type: "string", value: "FILE", description: "bzImage, or unified kernel image (PE with .linux/.initrd/.cmdline) (required)" },
  initrd: { type: "string", value: "FILE", description: "initrd the kernel boots with" },
  append: { type: "string", value: "CMDLINE", description: "kernel command line it boots with" },
  "no-setup-data-modifications": { type: "boolean", description: "hash the setup data without QEMU's loader edits (QEMU with SEV)" },
  algorithms: { type: "string", value: "LIST", description: "sha256 (default), sha384, sha512, comma-separated" },
  out: { type: "string", value: "FILE", description: "write the result to FILE (atomically) instead of stdout" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

/** Kernels are read whole (the setup part is patched before hashing); bzImages are tens of MiB. */
const MAX_KERNEL_BYTES = 1 << 30;

export function digestSet(digests: Digests): Record<string, string> {
  return Object.fromEntries(Object.entries(digests).map(([a, d]) => [a, toHex(d)]));
}

export function kernelComponentRecord(k: KernelDigests) {
  return {
    format: k.format,
    bootProtocol: `${k.bootProtocol >> 8}.${(k.bootProtocol & 0xff).toString().padStart(2, "0")}`,
    setupSects: k.setupSects,
    bzImage: digestSet(k.bzImage),
    bzImageSize: k.bzImageSize,
    kernelImage: digestSet(k.kernelImage),
    setupData: digestSet(k.setupData),
    setupDataModifications: k.setupDataModifications,
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const { options: o, positionals } = parseOptions(NAME, argv, OPTIONS);
  if (o.help) {
    process.stdout.write(helpText(`reftrail ${NAME} --kernel FILE [--initrd FILE] [--append CMDLINE] [options]`,
      "Kernel reference values: Oak's kernel image and setup-data digests, and with an initrd or command line the QEMU kernel-hashes table entries and Oak's initrd and command-line values.", OPTIONS));
    return ExitCode.OK;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (see 'reftrail ${NAME} --help')`);
  if (o.kernel === undefined) throw new UsageError("the following argument is required: --kernel");
  const algorithms: DigestAlgorithm[] = parseAlgorithms(o.algorithms);
  const file = readInputFile("--kernel", o.kernel, MAX_KERNEL_BYTES);
  const kernel = attributed(fileSubject("--kernel", o.kernel), () =>
    measureKernel(file, { setupDataModifications: !o["no-setup-data-modifications"], algorithms }),
  );
  if (kernel.uki?.initrd !== undefined && o.initrd !== undefined) throw new UsageError("the UKI carries its own .initrd; drop --initrd", "--initrd");
  if (kernel.uki?.cmdline !== undefined && o.append !== undefined) throw new UsageError("the UKI carries its own .cmdline; drop --append", "--append");

  let initrd: KernelMeasurement["initrd"];
  if (o.initrd !== undefined) {
    const { digests, size } = await digestInputFile("--initrd", o.initrd, algorithms.includes("sha256") ? algorithms : ["sha256", ...algorithms]);
    initrd = { source: o.initrd, size, digests: digestSet(digests) };
  } else if (kernel.uki?.initrd) {
    initrd = { source: "uki:.initrd", size: kernel.uki.initrd.byteLength, digests: digestSet({ ...digestsOf(kernel.uki.initrd, algorithms), sha256: sha256(kernel.uki.initrd) }) };
  }
  const cmdlineValue = o.append ?? kernel.uki?.cmdline;
  const cmdline = cmdlineValue === undefined ? undefined : cmdlineDigests(cmdlineValue);
  const report: KernelMeasurement = {
    version: 1,
    kernel: { path: o.kernel, size: file.byteLength, sha256: toHex(sha256(file)) },
    ...kernelComponentRecord(kernel),
    ...(kernel.uki ? { uki: { sections: [...kernel.uki.sections] } } : {}),
    ...(initrd ? { initrd } : {}),
    ...(cmdline ? { cmdline: { value: cmdline.value, sha256: toHex(cmdline.sha256), sha256WithNul: toHex(cmdline.sha256WithNul) } } : {}),
    ...(initrd || cmdline
      ? {
          qemuKernelHashes: {
            kernel: toHex(kernel.bzImage.sha256),
            initrd: initrd?.digests.sha256 ?? toHex(EMPTY_SHA256),
            cmdline: cmdline ? toHex(cmdline.sha256WithNul) : toHex(sha256(new Uint8Array(1))),
          },
        }
      : {}),
  };
  emit(o.json ? json(report) : kernelText(report), o.out);
  return ExitCode.OK;
}

function kernelText(r: KernelMeasurement): string {
  const rows: string[][] = [];
  const add = (what: string, digests: Record<string, string | undefined>) => {
    for (const [a, d] of Object.entries(digests)) if (d !== undefined) rows.push([what, a, d]);
  };
  add("kernel image (Oak kernel_measurement)", r.kernelImage);
  add(`setup data (${r.setupDataModifications ? "with" : "without"} QEMU loader edits; Oak setup_data_digest)`, r.setupData);
  add(`bzImage${r.format === "uki" ? " (.linux)" : ""} (kernel-hashes table kernel entry)`, r.bzImage);
  if (r.initrd) add(`initrd ${r.initrd.source} (Oak ram_disk_digest)`, r.initrd.digests);
  if (r.cmdline) {
    rows.push(["cmdline without NUL (Oak kernel_cmdline)", "sha256", r.cmdline.sha256]);
    rows.push(["cmdline with NUL (kernel-hashes table)", "sha256", r.cmdline.sha256WithNul]);
  }
  if (r.qemuKernelHashes) for (const [k, d] of Object.entries(r.qemuKernelHashes)) rows.push([`kernel-hashes table: ${k}`, "sha256", d]);
  const head = `${r.kernel.path}: ${r.format}, boot protocol ${r.bootProtocol}, setup ${r.setupSects} sectors${r.cmdline ? `, cmdline "${r.cmdline.value}"` : ""}\n`;
  return head + formatTable(["value", "algorithm", "digest"], rows);
}

export const command: Command = { run };
