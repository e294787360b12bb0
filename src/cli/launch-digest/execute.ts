import { sha256 } from "../../util/digest.js";
import { attributed } from "../../util/errors.js";
import { digestInputFile } from "../file-digests.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { parseFirmware, type FirmwareImage } from "../../measure/firmware/ovmf.js";
import { checkLaunch, measureLaunch, type LaunchDigests, type LaunchInputs } from "../../measure/launch.js";
import { cmdlineBytes, EMPTY_SHA256, type KernelHashes } from "../../measure/sev-hashes.js";
import { placeSvsm, svsmVmsaPage } from "../../measure/snp/svsm.js";
import { resetVmsaPages } from "../../measure/vmsa-pages.js";
import { checkInputFile, fileSubject, inputFileSize, readInputFile } from "../input.js";
import type { LaunchDigestRequest } from "./request.js";

export interface InputFileRecord {
  readonly path: string;
  readonly sha256: Uint8Array;
  readonly size: number;
}

/** The measured result together with what it was computed from, for reporting. */
export interface LaunchDigestOutcome {
  readonly request: LaunchDigestRequest;
  readonly firmware: InputFileRecord;
  readonly snpFirmwareDigest: Uint8Array | undefined;
  readonly svsm: (InputFileRecord & { readonly varsSize: number }) | undefined;
  readonly kernelHashes:
    | { readonly hashes: KernelHashes; readonly kernelPath: string; readonly initrdPath: string | undefined; readonly append: string | undefined }
    | undefined;
  readonly digests: LaunchDigests;
  readonly warnings: readonly string[];
}

/** Firmware and SVSM images are read whole; x86 OVMF builds are at most a few MiB. */
const MAX_IMAGE_BYTES = 64 << 20;

function loadImage(option: string, path: string, place: (bytes: Uint8Array) => FirmwareImage): { image: FirmwareImage; record: InputFileRecord } {
  const bytes = readInputFile(option, path, MAX_IMAGE_BYTES);
  const image = attributed(fileSubject(option, path), () => place(bytes));
  return { image, record: { path, sha256: sha256(bytes), size: bytes.byteLength } };
}

/**
 * Reads and checks every input, then measures. The firmware is validated for the requested mode
 * before the kernel is hashed, so a mismatched pair fails at once, not after hashing a large file.
 */
export async function executeLaunchDigest(request: LaunchDigestRequest): Promise<LaunchDigestOutcome> {
  const ovmfOption = "--ovmf";
  checkInputFile(ovmfOption, request.ovmfPath, MAX_IMAGE_BYTES);
  if (request.kernel) {
    checkInputFile("--kernel", request.kernel.path);
    if (request.kernel.initrdPath !== undefined) checkInputFile("--initrd", request.kernel.initrdPath);
  }
  if (request.svsm) {
    checkInputFile("--svsm", request.svsm.path, MAX_IMAGE_BYTES);
    if (request.svsm.varsFile !== undefined) checkInputFile("--vars-file", request.svsm.varsFile);
  }
  const ovmf = loadImage(ovmfOption, request.ovmfPath, (b) => parseFirmware(b));
  let svsm: { image: FirmwareImage; record: InputFileRecord; varsSize: number } | undefined;
  if (request.svsm) {
    const varsSize = request.svsm.varsSize ?? inputFileSize("--vars-file", request.svsm.varsFile!);
    const loaded = loadImage("--svsm", request.svsm.path, (b) => placeSvsm(ovmf.image, b, varsSize));
    svsm = { ...loaded, varsSize };
  }
  const inputs: Omit<LaunchInputs, "kernelHashes"> = {
    mode: request.mode,
    firmware: ovmf.image,
    svsm: svsm?.image,
    firmwareDigest: request.precomputedFirmwareDigest,
    configurations: request.configurations,
    vcpuCounts: request.vcpuCounts,
    conventions: { ec2LegacyRdx: request.ec2LegacyRdx, vmsaGpa: request.vmsaGpa },
  };
  attributed(fileSubject(ovmfOption, request.ovmfPath), () => checkLaunch(inputs, request.kernel !== undefined));

  let kernelHashes: LaunchDigestOutcome["kernelHashes"];
  if (request.kernel) {
    const { path, initrdPath, append } = request.kernel;
    const hashes: KernelHashes = {
      kernel: (await digestInputFile("--kernel", path, ["sha256"])).digests.sha256,
      initrd: initrdPath === undefined ? EMPTY_SHA256 : (await digestInputFile("--initrd", initrdPath, ["sha256"])).digests.sha256,
      cmdline: sha256(cmdlineBytes(append, { trim: request.cmdlineTrim })),
    };
    kernelHashes = { hashes, kernelPath: path, initrdPath, append };
  }
  const digests = attributed(fileSubject(ovmfOption, request.ovmfPath), () => measureLaunch({ ...inputs, kernelHashes: kernelHashes?.hashes }));
  if (request.dumpVmsa) dumpVmsas(request, ovmf.image, svsm?.image);
  const warnings = [...request.warnings];
  if (request.mode === "snp" && ovmf.image.sevMetadata === undefined) {
    warnings.push(`${request.ovmfPath} has no SEV metadata: only its pages and the VMSAs are measured (is it built for SEV-SNP?)`);
  }
  return {
    warnings,
    request,
    firmware: ovmf.record,
    snpFirmwareDigest: digests.snpFirmwareDigest,
    svsm: svsm && { ...svsm.record, varsSize: svsm.varsSize },
    kernelHashes,
    digests,
  };
}

/** `--dump-vmsa`: vmsa0.bin … vmsa<n-1>.bin in the working directory, as sev-snp-measure writes them. */
function dumpVmsas(request: LaunchDigestRequest, ovmf: FirmwareImage, svsm: FirmwareImage | undefined): void {
  const config = request.configurations[0]!;
  const count = Math.max(0, ...request.vcpuCounts);
  const pages =
    request.mode === "snp:svsm"
      ? (() => {
          const page = svsmVmsaPage(svsm!.gpa + (svsm!.svsmInfoOffset ?? 0), config.vcpuSignature!);
          return { bsp: page, ap: page };
        })()
      : resetVmsaPages(ovmf, config, request.mode === "snp" ? config.guestFeatures : 0n, { ec2LegacyRdx: request.ec2LegacyRdx });
  for (let i = 0; i < count; i++) writeFileAtomic(`vmsa${i}.bin`, i === 0 ? pages.bsp : pages.ap!);
}
