import type { DigestsByVcpus } from "../config.js";
import { MeasureError } from "../errors.js";
import { PAGE_SIZE, parseFirmware, type FirmwareImage } from "../firmware/ovmf.js";
import { VMM_PROFILES } from "../vmm.js";
import { checkSnpMetadata, metadataPages } from "./metadata-pages.js";
import { LaunchDigestChain } from "./page-info.js";
import { snpVmsaDigests } from "./launch.js";
import { PAT_DEFAULT, RESET_COMMON, vmsaPage, type Segment } from "./vmsa.js";

const flat = (selector: number, attrib: number): Segment => ({ selector, attrib, limit: 0xffffffff, base: 0 });

/**
 * The VMSA COCONUT-SVSM's QEMU starts every vCPU with: flat 32-bit segments, protected mode, RIP at
 * the SVSM entry point. x87 FCW is 0, not 0x37f: sev-snp-measure never sets it (a keyword typo) and
 * the digests measured on real hardware match that.
 */
export function svsmVmsaPage(entryPoint: number, vcpuSignature: number): Uint8Array {
  return vmsaPage({
    ...RESET_COMMON,
    es: flat(16, 0xc93),
    cs: flat(8, 0xc9b),
    ss: flat(16, 0xc93),
    ds: flat(16, 0xc93),
    fs: flat(16, 0xc93),
    gs: { selector: 0, attrib: 0x93, limit: 0xffff, base: 0 },
    tr: { selector: 0, attrib: 0x8b, limit: 0xffff, base: 0 },
    cr0: 0x11,
    rip: entryPoint,
    gPat: PAT_DEFAULT,
    rdx: vcpuSignature,
    sevFeatures: 1n,
    mxcsr: 0x1f80,
    x87Fcw: 0,
  });
}

/** Places the SVSM image directly below the OVMF code and its variable store. */
export function placeSvsm(ovmf: FirmwareImage, svsmBytes: Uint8Array, varsSize: number): FirmwareImage {
  if (!Number.isSafeInteger(varsSize) || varsSize <= 0 || varsSize % PAGE_SIZE !== 0) {
    throw new MeasureError("SVSM_PLACEMENT", `OVMF_VARS size ${varsSize} is not a positive multiple of ${PAGE_SIZE} bytes`);
  }
  const end = ovmf.gpa - varsSize;
  if (end - svsmBytes.byteLength < 0) {
    throw new MeasureError("SVSM_PLACEMENT", "the SVSM image does not fit below the OVMF and its variable store");
  }
  const svsm = parseFirmware(svsmBytes, end);
  if (svsm.svsmInfoOffset === undefined) {
    throw new MeasureError("NO_SVSM_INFO", "no SVSM_INFO entry in the SVSM image's footer table");
  }
  return svsm;
}

/**
 * SNP with COCONUT-SVSM under QEMU: OVMF pages, SVSM pages, the SVSM's metadata sections, then
 * identical VMSAs for every vCPU (the OVMF's own metadata is not processed in this mode).
 */
export function svsmLaunchDigests(
  ovmf: FirmwareImage,
  svsm: FirmwareImage,
  vcpuSignature: number,
  vcpuCounts: readonly number[],
  vmsaGpa?: number,
): DigestsByVcpus {
  checkSnpMetadata(svsm, false);
  const entryPoint = svsm.gpa + (svsm.svsmInfoOffset ?? 0);
  const chain = metadataPages(
    LaunchDigestChain.start().normalPages(ovmf.gpa, ovmf.bytes).normalPages(svsm.gpa, svsm.bytes),
    svsm,
    VMM_PROFILES.QEMU,
    undefined,
  );
  const page = svsmVmsaPage(entryPoint, vcpuSignature);
  return snpVmsaDigests(chain, { bsp: page, ap: page }, vcpuCounts, vmsaGpa);
}
