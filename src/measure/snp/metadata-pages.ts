import { MeasureError } from "../errors.js";
import { FOUR_GIB, PAGE_SIZE, type FirmwareLayout } from "../firmware/ovmf.js";
import { SevSectionType, sectionTypeName, type SevMetadataSection } from "../firmware/sev-metadata.js";
import { PADDED_TABLE_SIZE, sevHashesPage, type KernelHashes } from "../sev-hashes.js";
import type { VmmProfile } from "../vmm.js";
import { PageType, type LaunchDigestChain } from "./page-info.js";

const PAGE_MASK = PAGE_SIZE - 1;

/**
 * Rejects, before any hashing, a firmware that an SNP launch of it could not measure: unknown or
 * misaligned metadata sections, a kernel without a kernel-hashes section or table address.
 */
export function checkSnpMetadata(image: FirmwareLayout, withKernel: boolean): void {
  const sections = image.sevMetadata ?? [];
  for (const section of sections) {
    const name = sectionTypeName(section.type);
    if (name === undefined) {
      throw new MeasureError("SEV_METADATA_SECTION", `SEV metadata section at gpa 0x${section.gpa.toString(16)} has unknown type 0x${section.type.toString(16)}`);
    }
    const sizeMeasured = section.type !== SevSectionType.SNP_SECRETS && section.type !== SevSectionType.CPUID;
    if ((section.gpa & PAGE_MASK) !== 0 || (sizeMeasured && (section.size & PAGE_MASK) !== 0)) {
      throw new MeasureError(
        "SEV_METADATA_SECTION",
        `SEV metadata section ${name} (gpa 0x${section.gpa.toString(16)}, size 0x${section.size.toString(16)}) is not page-aligned`,
      );
    }
  }
  checkDisjoint(image, sections);
  if (!withKernel) return;
  const hashesSection = sections.find((s) => s.type === SevSectionType.SNP_KERNEL_HASHES);
  if (hashesSection === undefined) {
    throw new MeasureError("NO_KERNEL_HASHES_SECTION", "a kernel was given but the OVMF metadata has no SNP_KERNEL_HASHES section");
  }
  if (hashesSection.size !== PAGE_SIZE) {
    throw new MeasureError("HASH_TABLE_PLACEMENT", `the SNP_KERNEL_HASHES section has size 0x${hashesSection.size.toString(16)}, expected one page (0x1000)`);
  }
  const table = image.sevHashTable;
  if (table === undefined || table.gpa === 0) {
    throw new MeasureError("HASH_TABLE_PLACEMENT", "the OVMF has an SNP_KERNEL_HASHES section but no SEV_HASH_TABLE_RV address for the table");
  }
  // QEMU refuses a reserved area smaller than the padded table, and writes the table at that address:
  // it must lie in the page the SNP_KERNEL_HASHES section measures, without crossing its end.
  if (table.size < PADDED_TABLE_SIZE) {
    throw new MeasureError("HASH_TABLE_PLACEMENT", `SEV_HASH_TABLE_RV reserves ${table.size} bytes, less than the ${PADDED_TABLE_SIZE}-byte kernel-hashes table`);
  }
  if (table.gpa - (table.gpa & PAGE_MASK) !== hashesSection.gpa || (table.gpa & PAGE_MASK) + PADDED_TABLE_SIZE > PAGE_SIZE) {
    throw new MeasureError(
      "HASH_TABLE_PLACEMENT",
      `the kernel-hashes table at 0x${table.gpa.toString(16)} does not fit in the SNP_KERNEL_HASHES page at 0x${hashesSection.gpa.toString(16)}`,
    );
  }
}

/** Guest memory a section occupies: SECRETS and CPUID are one page whatever their declared size. */
function sectionRange(section: SevMetadataSection): [number, number] {
  const single = section.type === SevSectionType.SNP_SECRETS || section.type === SevSectionType.CPUID;
  return [section.gpa, section.gpa + (single ? PAGE_SIZE : section.size)];
}

/**
 * The hypervisor can pre-validate a guest page only once, so sections overlapping each other or the
 * firmware image describe no launchable guest; they also bound the work a crafted image can cause.
 */
function checkDisjoint(image: FirmwareLayout, sections: readonly SevMetadataSection[]): void {
  const ranges = sections
    .map((s) => ({ range: sectionRange(s), what: `section ${sectionTypeName(s.type)} at 0x${s.gpa.toString(16)}` }))
    .filter(({ range: [start, end] }) => end > start);
  ranges.push({ range: [image.gpa, image.gpa + image.size], what: "the firmware image" });
  ranges.sort((a, b) => a.range[0] - b.range[0]);
  for (let i = 0; i < ranges.length; i++) {
    const current = ranges[i]!;
    if (current.range[1] > FOUR_GIB) {
      throw new MeasureError("SEV_METADATA_SECTION", `SEV metadata ${current.what} extends beyond 4 GiB`);
    }
    const next = ranges[i + 1];
    if (next && next.range[0] < current.range[1]) {
      throw new MeasureError("SEV_METADATA_SECTION", `SEV metadata ${next.what} overlaps ${current.what}`);
    }
  }
}

function sectionPages(
  chain: LaunchDigestChain,
  section: SevMetadataSection,
  image: FirmwareLayout,
  vmm: VmmProfile,
  kernelHashes: KernelHashes | undefined,
): LaunchDigestChain {
  switch (section.type) {
    case SevSectionType.SNP_SEC_MEM:
      return chain.emptyPages(vmm.secMemPageType, section.gpa, section.size);
    case SevSectionType.SNP_SECRETS:
      // One page whatever the declared size, as every hypervisor and sev-snp-measure do.
      return chain.page(PageType.SECRETS, section.gpa);
    case SevSectionType.CPUID:
      return vmm.cpuidPagesLast ? chain : chain.page(PageType.CPUID, section.gpa);
    case SevSectionType.SVSM_CAA:
      return chain.emptyPages(PageType.ZERO, section.gpa, section.size);
    case SevSectionType.SNP_KERNEL_HASHES:
      if (kernelHashes === undefined) return chain.emptyPages(PageType.ZERO, section.gpa, section.size);
      return chain.normalPages(section.gpa, sevHashesPage(kernelHashes, image.sevHashTable!.gpa & PAGE_MASK));
    default:
      throw new Error(`unchecked SEV metadata section type 0x${section.type.toString(16)}`);
  }
}

/**
 * Folds the pages the VMM adds for the firmware's SEV metadata sections, in table order.
 * The image must have passed `checkSnpMetadata` for the same kernel choice.
 */
export function metadataPages(
  chain: LaunchDigestChain,
  image: FirmwareLayout,
  vmm: VmmProfile,
  kernelHashes: KernelHashes | undefined,
): LaunchDigestChain {
  const sections = image.sevMetadata ?? [];
  let next = chain;
  for (const section of sections) next = sectionPages(next, section, image, vmm, kernelHashes);
  if (vmm.cpuidPagesLast) {
    for (const section of sections) {
      if (section.type === SevSectionType.CPUID) next = next.page(PageType.CPUID, section.gpa);
    }
  }
  return next;
}
