import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findMeasurement } from "../../src/audit/find.js";
import { MeasurementFinding } from "../../src/schema/audit-find.js";
import type { ReferenceValues } from "../../src/schema/reference-values.js";
import { fromHex } from "../../src/util/bytes.js";
import { endorsementsInFolders } from "../../src/verify/load/evidence-endorsements.js";
import { loadRegistry } from "../../src/verify/load/keys.js";
import { logFromKeyFile } from "../../src/verify/load/trusted-logs.js";
import { amdsevOracle, endorseAmdsev } from "../helpers/amdsev-releases.js";
import { runCli, type CliResult } from "../helpers/cli.js";
import { ROOT } from "../helpers/fixtures.js";
import { endorseRelease } from "../helpers/release-endorsed.js";
import { tempDir } from "../helpers/tlog.js";
import { readOracleRows } from "../helpers/tsv.js";

/**
 * `reftrail audit find` over two releases that share no firmware: 2026.11.0 is the AmdSev example
 * (OVMF.amdsev.fd, Debian kernel, initrd, "… ro quiet"), 2026.12.0 boots the same kernel alone (no
 * initrd, no command line) through another firmware (sev-snp-measure's AmdSev suffix file). Every
 * expected digest is one sev-snp-measure printed (amdsev-visible.tsv, oracle-visible.tsv), and
 * neither release publishes an SEV or SEV-ES digest: what is found of those was recomputed.
 */
let home: string;
let registry: string;
const A = "debian-amdsev-direct-boot-example 2026.11.0";
const B = "debian-amdsev-direct-boot-example 2026.12.0";
const values: Record<string, ReferenceValues> = {};

const find = (measurement: string, json = true) => runCli(["audit", "find", "--key-registry", registry, "--measurement", measurement, "--log", join(home, "log"), ...(json ? ["--json"] : [])]);
const parsed = (r: CliResult) => MeasurementFinding.parse(JSON.parse(r.stdout));

/** The digest of the one row of oracle-visible.tsv whose command contains every fragment. */
function visibleOracle(...fragments: string[]): string {
  const rows = readOracleRows("launch-digests/oracle-visible.tsv").filter((r) => fragments.every((f) => r.args.join(" ").includes(f)) && r.args.join(" ").endsWith(fragments.at(-1)!));
  if (rows.length !== 1) throw new Error(`${rows.length} oracle rows match ${fragments.join(" ")}`);
  return rows[0]!.expected;
}

/** The firmware boot the AmdSev firmware of A measures with B's kernel alone: 4 vCPUs, EPYC-Milan, QEMU, guest features 0x1. */
const MIXED = () => amdsevOracle("--vcpus 4 --vcpu-type EPYC-Milan --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64");

beforeAll(() => {
  home = tempDir("audit-find-mixed");
  const a = endorseAmdsev(home, "2026.11.0", "console=ttyS0 root=/dev/vda1 ro quiet");
  registry = a.endorsed.registry;
  values[A] = a.values;
  values[B] = endorseAmdsev(home, "2026.12.0", "", { firmware: "firmware/ovmf_AmdSev_suffix.bin", kernelOnly: true }).values;
}, 300_000);

describe("audit find: values of different releases", () => {
  it("the releases share no firmware, and publish no SEV or SEV-ES digest", () => {
    const firmware = (r: string) => values[r]!.components.find((c) => c.kind === "firmware")!;
    expect(firmware(A).subject.digest["sha256"]).not.toBe(firmware(B).subject.digest["sha256"]);
    for (const r of [A, B]) {
      const f = firmware(r);
      expect(f.kind === "firmware" && f.launchDigests.every((d) => d.mode === "snp")).toBe(true);
    }
  });

  it("A's firmware booting B's kernel alone: exit 0, each value naming the release it was endorsed in", () => {
    const r = find(MIXED());
    expect(r.status, r.stderr).toBe(0);
    const f = parsed(r);
    expect(f.found).toMatchObject({
      release: "mixed",
      mixed: true,
      method: "recomputed",
      alsoIn: [],
      configuration: { vmm: "QEMU", vcpus: 4, guestFeatures: "0x1", kernelHashes: true },
      vcpuTypes: expect.arrayContaining(["EPYC-Milan"]),
    });
    // The kernel is the same file in both releases; the empty initrd and command line only B's kernel records.
    expect(f.found?.releases).toEqual({ firmware: [A], kernel: [B, A], initrd: [B], cmdline: [B] });
    expect(f.searched.mixedBoots).toBeGreaterThan(0);
    expect(f.searched.notSearched).toEqual([]);
    const text = find(MIXED(), false);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^FOUND .* is values of different releases, each endorsed \(recomputed/);
    expect(text.stdout).toMatch(/firmware .*\[release .*2026\.11\.0\]/);
    expect(text.stdout).toMatch(/cmdline .*\[release .*2026\.12\.0\]/);
  });

  it("a part never endorsed (the command line ' console=ttyS0 '): exit 1, after every combination of the two releases", () => {
    const r = find(amdsevOracle("--vcpus 32 ", "' console=ttyS0 '"));
    expect(r.status).toBe(1);
    const f = parsed(r);
    expect(f.found).toBeUndefined();
    expect(f.searched.releases).toEqual([B, A]);
    expect(f.searched.mixedBoots).toBeGreaterThan(0);
    expect(f.searched.notSearched).toEqual([]);
    expect(f.failures).toEqual(["MEASUREMENT"]);
  });

  it("over the bound, the combinations left out are named in notSearched and the answer is not found", () => {
    const registryFile = loadRegistry(registry);
    const trust = { keys: { kind: "registry" as const, registry: registryFile.loaded, source: registry }, logs: [logFromKeyFile(join(home, "log", "log-public-key.pem"))] };
    const endorsements = endorsementsInFolders(join(home, "endorsements"));
    const bounded = findMeasurement(fromHex(MIXED())!, endorsements, trust, { maxMixedBoots: 0 });
    expect(bounded.verified).toBe(false);
    expect(bounded.searched.mixedBoots).toBe(0);
    expect(bounded.searched.notSearched).toEqual([expect.stringMatching(/pairs of a firmware release and another release's .* over the bound of 0 boots/), expect.stringMatching(/each from a different release: \d+ combinations .* over the bound of 0 boots/)]);
    // The same endorsements without the bound: found (the bound, not the values, made the difference).
    expect(findMeasurement(fromHex(MIXED())!, endorsements, trust).found?.mixed).toBe(true);
  });

  it("an SEV digest (sev-snp-measure --mode sev, B's firmware and kernel) is recomputed from B's recorded firmware state", () => {
    const r = find(visibleOracle("--mode sev --ovmf firmware/ovmf_AmdSev_suffix.bin --kernel kernel/vmlinuz-6.1.0-56-cloud-amd64"));
    expect(r.status, r.stderr).toBe(0);
    const f = parsed(r);
    expect(f.mode).toBe("sev/seves");
    expect(f.found).toMatchObject({ release: B, mixed: false, method: "recomputed", configuration: { mode: "sev", vmm: null, vcpus: null, kernelHashes: true } });
  });

  it("an SEV-ES digest (4 vCPUs, EPYC-Rome, A's kernel, initrd and command line) is recomputed, naming the vCPU models", () => {
    const r = find(amdsevOracle("--mode seves", "--vcpus 4 --vcpu-type EPYC-Rome", "ro quiet"));
    expect(r.status, r.stderr).toBe(0);
    const f = parsed(r);
    expect(f.found).toMatchObject({ release: A, method: "recomputed", configuration: { mode: "seves", vmm: "QEMU", vcpus: 4, kernelHashes: true }, vcpuTypes: expect.arrayContaining(["EPYC-Rome"]) });
    const text = find(amdsevOracle("--mode seves", "--vcpus 4 --vcpu-type EPYC-Rome", "ro quiet"), false);
    expect(text.stdout).toMatch(/configuration SEV-ES, VMM QEMU, 4 vCPUs, vCPU \S*EPYC-Rome\S* \(signature 0x[0-9a-f]+\), kernel hashes/);
  });

  it("an SEV-ES digest of a firmware nobody endorsed (OVMF.fd) is not found: exit 1", () => {
    const r = find(visibleOracle("--mode seves --ovmf firmware/OVMF.fd --vcpus 1 --vcpu-type EPYC-Milan"));
    expect(r.status).toBe(1);
    expect(parsed(r).searched.digests).toBeGreaterThan(1000);
  });
});

/**
 * The Debian OVMF.fd example release (examples/release-manifest.json), which publishes SEV-ES
 * digests for QEMU with EPYC-Milan and EPYC-Genoa and its SEV digest: a digest it publishes is
 * found by lookup, one of another VMM by recomputation; both are sev-snp-measure's.
 */
describe("audit find: SEV-ES digests published and recomputed", () => {
  let debian: string;
  let debianRegistry: string;
  const RELEASE = "debian-bookworm-cloud-example 2026.11.0";
  const findDebian = (measurement: string) => runCli(["audit", "find", "--key-registry", debianRegistry, "--measurement", measurement, "--log", join(debian, "log"), "--json"]);

  beforeAll(() => {
    debian = tempDir("audit-find-debian");
    const out = join(debian, "values.json");
    const r = runCli(["measure", "release", "--manifest", join(ROOT, "examples/release-manifest.json"), "--out", out]);
    if (r.status !== 0) throw new Error(r.stderr);
    debianRegistry = endorseRelease(out, debian, "2026.11.0").registry;
  }, 300_000);

  it("1 vCPU EPYC-Milan on QEMU, which the firmware endorsement publishes: found by lookup", () => {
    const r = findDebian(visibleOracle("--mode seves --ovmf firmware/OVMF.fd --vcpus 1 --vcpu-type EPYC-Milan"));
    expect(r.status, r.stderr).toBe(0);
    expect(parsed(r).found).toMatchObject({ release: RELEASE, method: "published", configuration: { mode: "seves", vmm: "QEMU", vcpus: 1, vcpuType: "EPYC-Milan", kernelHashes: false } });
  });

  it("4 vCPUs on gce, which it does not publish: recomputed", () => {
    const r = findDebian(visibleOracle("--mode seves --ovmf firmware/OVMF.fd --vcpus 4 --vmm-type gce"));
    expect(r.status, r.stderr).toBe(0);
    expect(parsed(r).found).toMatchObject({ release: RELEASE, method: "recomputed", configuration: { mode: "seves", vmm: "gce", vcpus: 4, vcpuType: null, kernelHashes: false } });
  });
});
