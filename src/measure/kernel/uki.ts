import { MeasureError } from "../errors.js";
import { looksLikePe, parsePeSections, sectionData, type PeSection } from "./pe.js";

/** A unified kernel image (systemd-stub UKI): the parts a boot takes from its PE sections. */
export interface UnifiedKernelImage {
  /** `.linux`: the bzImage. */
  readonly linux: Uint8Array;
  /** `.initrd`, if present. */
  readonly initrd: Uint8Array | undefined;
  /** `.cmdline` bytes as stored, if present. */
  readonly cmdlineSection: Uint8Array | undefined;
  /** The command line systemd-stub passes to the kernel, derived from `.cmdline`. */
  readonly cmdline: string | undefined;
  readonly sectionNames: readonly string[];
}

const MEASURED = [".linux", ".initrd", ".cmdline"] as const;

/**
 * systemd-stub's mangle_stub_cmdline: the section text up to its first NUL, leading whitespace and
 * control characters dropped, inner ones turned into spaces, trailing whitespace chopped.
 */
export function stubCommandLine(section: Uint8Array): string {
  const end = section.indexOf(0);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(end < 0 ? section : section.subarray(0, end));
  } catch {
    throw new MeasureError("UKI_SECTION", "the UKI's .cmdline section is not UTF-8 text");
  }
  const isSpace = (c: string) => c.charCodeAt(0) <= 0x20 || c.charCodeAt(0) === 0x7f;
  return [...text].map((c) => (isSpace(c) ? " " : c)).join("").replace(/^ +| +$/g, "");
}

/** Returns the UKI's parts, or undefined when the PE image has no `.linux` section (a plain bzImage). */
export function parseUki(bytes: Uint8Array): UnifiedKernelImage | undefined {
  if (!looksLikePe(bytes)) return undefined;
  let sections: PeSection[];
  try {
    sections = parsePeSections(bytes);
  } catch {
    return undefined; // "MZ" without a readable PE section table: not a UKI (an EFI-stub bzImage is checked as such)
  }
  // An EFI-stub bzImage is a PE image too; only a PE image with a .linux section is a UKI.
  if (!sections.some((s) => s.name === ".linux")) return undefined;
  if (sections.some((s) => s.name === ".profile")) {
    throw new MeasureError("UKI_SECTION", "multi-profile UKIs (.profile sections) are not supported: measure each profile's parts separately");
  }
  const parts = new Map<string, Uint8Array>();
  for (const name of MEASURED) {
    const matches = sections.filter((s) => s.name === name);
    if (matches.length > 1) throw new MeasureError("UKI_SECTION", `the UKI has ${matches.length} ${name} sections; systemd-stub would use only one`);
    if (matches[0]) parts.set(name, sectionData(bytes, matches[0]));
  }
  const cmdlineSection = parts.get(".cmdline");
  return {
    linux: parts.get(".linux")!,
    initrd: parts.get(".initrd"),
    cmdlineSection,
    cmdline: cmdlineSection && stubCommandLine(cmdlineSection),
    sectionNames: sections.map((s) => s.name),
  };
}
