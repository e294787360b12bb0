import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "../../src/schema/parse.js";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { runCli } from "./cli.js";
import { COMMITTED, ROOT, fixturePath } from "./fixtures.js";
import { endorseRelease, type EndorsedRelease } from "./release-endorsed.js";

/** sev-snp-measure's rows for OVMF.amdsev.fd with the Debian kernel, initrd and command lines: [digest, arguments]. */
const ORACLE = readFileSync(join(COMMITTED, "launch-digests/amdsev-visible.tsv"), "utf8")
  .split("\n")
  .slice(1)
  .filter((l) => l.length > 0)
  .map((l) => l.split("\t") as [string, string]);

/** The digest (hex) sev-snp-measure printed for the one row whose arguments contain every fragment. */
export function amdsevOracle(...fragments: string[]): string {
  const rows = ORACLE.filter(([, args]) => fragments.every((f) => args.includes(f)));
  if (rows.length !== 1) throw new Error(`${rows.length} oracle rows match ${fragments.join(" ")}`);
  return rows[0]![0];
}

/** How a release differs from the AmdSev example besides its version and command line. */
export interface AmdsevVariant {
  /** Another firmware file, relative to the fixtures (the component keeps its name). */
  readonly firmware?: string;
  /** The kernel alone, no initrd or command line component: QEMU measures an empty initrd and command line. */
  readonly kernelOnly?: boolean;
}

/** The AmdSev example release measured with another version and command line (as snp-amdsev.test.ts endorses it). */
export function measureAmdsev(home: string, version: string, cmdline: string, variant: AmdsevVariant = {}): { path: string; values: ReferenceValues } {
  const manifest = JSON.parse(readFileSync(join(ROOT, "examples/release-manifest-amdsev.json"), "utf8"));
  manifest.release.version = version;
  if (variant.kernelOnly) manifest.components = manifest.components.filter((c: { kind: string }) => c.kind !== "initrd" && c.kind !== "cmdline");
  for (const c of manifest.components) {
    if (typeof c.path === "string") c.path = join(ROOT, "examples", c.path);
    if (c.kind === "firmware" && variant.firmware !== undefined) c.path = fixturePath(variant.firmware);
    if (c.kind === "kernel" && variant.kernelOnly) {
      delete c.initrd;
      delete c.cmdline;
    }
    if (c.kind === "cmdline") c.value = cmdline;
    if (c.kind !== "firmware" && c.kind !== "kernel") c.version = version;
  }
  const manifestPath = join(home, `manifest-${version}.json`);
  writeFileSync(manifestPath, JSON.stringify(manifest));
  const path = join(home, `values-${version}.json`);
  const r = runCli(["measure", "release", "--manifest", manifestPath, "--out", path]);
  if (r.status !== 0) throw new Error(r.stderr);
  return { path, values: parseDocument(ReferenceValues, readFileSync(path, "utf8"), path) };
}

/** Measures, endorses and logs one AmdSev release into `home` (keys and log shared by every release there). */
export function endorseAmdsev(home: string, version: string, cmdline: string, variant: AmdsevVariant = {}): { values: ReferenceValues; path: string; endorsed: EndorsedRelease } {
  const { path, values } = measureAmdsev(home, version, cmdline, variant);
  return { path, values, endorsed: endorseRelease(path, home, version) };
}

/** A copy of a folder as it is now (a log copied keeps its key and tree: a second history can grow from it). */
export function copyFolder(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
