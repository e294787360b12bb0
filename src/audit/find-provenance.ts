import type { ComponentValues } from "../schema/reference-values.js";
import type { MeasurementFinding } from "../schema/audit-find.js";
import type { Release } from "./find-boots.js";

type Found = NonNullable<MeasurementFinding["found"]>;

/** What the launch digest measures of a boot: the firmware's layout and the three kernel-hashes table entries. */
export interface MeasuredBoot {
  readonly layout: string;
  readonly kernel?: { readonly kernel: string; readonly initrd: string | undefined; readonly cmdline: string };
}

/** The table entries a value carries for each part: its own, and for a kernel the initrd and command line it records. */
function carried(values: ComponentValues): Partial<Record<"firmware" | "kernel" | "initrd" | "cmdline", string | undefined>> {
  switch (values.kind) {
    case "firmware":
      return { firmware: JSON.stringify(values.layout) };
    case "kernel":
      return { kernel: values.qemuKernelHashes.kernel, initrd: values.qemuKernelHashes.initrd, cmdline: values.qemuKernelHashes.cmdline };
    case "initrd":
      return { initrd: values.subject.digest["sha256"] };
    case "cmdline":
      return { cmdline: values.cmdline.sha256WithNul };
    default:
      return {};
  }
}

/**
 * Which releases' verified endorsements carry each value of a boot (compared by what the launch
 * digest measures of it, whichever endorsement carried it), newest first; the release that carries
 * them all, or "mixed" when none does (each value endorsed, in different releases: a verifier that
 * matches each component against its own endorsements accepts such a boot).
 */
export function provenance(boot: MeasuredBoot, releases: readonly Release[]): Pick<Found, "release" | "releases" | "alsoIn" | "mixed"> {
  const wanted = { firmware: boot.layout, ...(boot.kernel ? { kernel: boot.kernel.kernel, cmdline: boot.kernel.cmdline, ...(boot.kernel.initrd ? { initrd: boot.kernel.initrd } : {}) } : {}) };
  const parts = Object.keys(wanted) as (keyof typeof wanted)[];
  const by = Object.fromEntries(parts.map((part) => [part, releases.filter((r) => r.values.some((v) => carried(v.values)[part] === wanted[part])).map((r) => r.name)])) as Found["releases"];
  const all = releases.map((r) => r.name).filter((name) => parts.every((part) => by[part]!.includes(name)));
  return { release: all[0] ?? "mixed", alsoIn: all.slice(1), mixed: all.length === 0, releases: by };
}
