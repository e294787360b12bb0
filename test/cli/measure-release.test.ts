import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReferenceValues, type FirmwareValues } from "../../src/schema/reference-values.js";
import { ReleaseManifest } from "../../src/schema/release-manifest.js";
import { runCli } from "../helpers/cli.js";
import { ROOT, fixturePath } from "../helpers/fixtures.js";
import { readTsv } from "../helpers/tsv.js";
import { sha256sumOf } from "../helpers/sha.js";
import { expectRejected } from "../helpers/expect.js";


const CMDLINE = "console=ttyS0 root=/dev/vda1 ro quiet";

/** A release of the AmdSev (kernel-hashes) firmware that boots the Debian kernel directly. */
function amdSevRelease(overrides: Record<string, unknown> = {}) {
  return {
    version: 1,
    release: { name: "amdsev-direct-boot", version: "1.0" },
    components: [
      {
        name: "ovmf-amdsev",
        kind: "firmware",
        version: "edk2-stable202405",
        path: fixturePath("firmware/ovmf_AmdSev_suffix.bin"),
        launchDigests: [
          { mode: "snp", vcpus: "1-4", vcpuTypes: ["EPYC-Milan"], guestFeatures: ["0x21"], boot: "kernel" },
          { mode: "snp", vcpus: "1", vmmTypes: ["ec2"], boot: "kernel" },
        ],
      },
      { name: "kernel", kind: "kernel", version: "6.1.192-2", path: fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64"), initrd: "initrd", cmdline: "cmdline" },
      { name: "initrd", kind: "initrd", version: "1", path: fixturePath("kernel/initrd.img") },
      { name: "cmdline", kind: "cmdline", version: "1", value: CMDLINE },
    ],
    ...overrides,
  };
}

function writeManifest(manifest: unknown, raw?: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "reftrail-release-"));
  const path = join(dir, "release.json");
  writeFileSync(path, raw ?? JSON.stringify(manifest, null, 2));
  return { dir, path };
}

describe("reftrail measure release", () => {
  it("measures a direct boot through the kernel-hashes table exactly as the oracle does", () => {
    const { dir, path } = writeManifest(amdSevRelease());
    const out = join(dir, "rv.json");
    const result = runCli(["measure", "release", "--manifest", path, "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const values = ReferenceValues.parse(JSON.parse(readFileSync(out, "utf8")));
    const firmware = values.components[0] as FirmwareValues;
    const milan = firmware.launchDigests[0]!;
    if (!("digests" in milan)) throw new Error("per-vCPU digests expected");
    // launch-digest spec golden values / oracle-visible.tsv rows for this kernel, initrd and command line.
    expect(milan.digests["2"]).toBe("8093af448b7d04ce34d65920d77fe9c4a8913f2c135bbd12367a5fcd06b6ec40521e51baf548d382ad2eb1ea85f02216");
    const ec2 = firmware.launchDigests[1]!;
    const row = readTsv("launch-digests/oracle-visible.tsv").find(
      (r) => r["vmm_type"] === "ec2" && r["ovmf_file"] === "firmware/ovmf_AmdSev_suffix.bin" && r["initrd_sha256"] !== "-" && r["append"] !== "-",
    )!;
    expect(row["append"]).toBe(CMDLINE);
    expect("digests" in ec2 && ec2.digests["1"]).toBe(row["expected_digest_hex"]);
    expect(milan.boot).toEqual({
      kernel: "kernel",
      kernelSha256: "51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275",
      initrdSha256: "9d76d40ecbf1604f0f9d8035e2a7dd9fa5aa938ab66eb4bf23abe90eb4d95fff",
      cmdlineSha256: sha256sumOf(new TextEncoder().encode(`${CMDLINE}\0`)),
    });
  });

  it("the example manifest in the repository is valid", () => {
    expect(() => ReleaseManifest.parse(JSON.parse(readFileSync(join(ROOT, "examples/release-manifest.json"), "utf8")))).not.toThrow();
  });

  const bad: [string, unknown, string[]][] = [
    ["unknown component kind", { components: [{ name: "x", kind: "bootloader", version: "1", path: "x" }] }, ["components[0].kind", "firmware"]],
    ["missing field", { components: [{ name: "x", kind: "initrd", version: "1" }] }, ["components[0].path"]],
    ["bad hex", { components: [{ name: "f", kind: "firmware", version: "1", path: "f", launchDigests: [{ mode: "snp", vcpus: "1", vmmTypes: ["gce"], guestFeatures: ["0xzz"] }] }] }, ["components[0].launchDigests[0].guestFeatures[0]"]],
    ["vCPU range out of bounds", { components: [{ name: "f", kind: "firmware", version: "1", path: "f", launchDigests: [{ mode: "snp", vcpus: "1-600", vmmTypes: ["gce"] }] }] }, ["components[0].launchDigests[0].vcpus", "512"]],
    ["duplicate name", { components: [{ name: "a", kind: "cmdline", version: "1", value: "" }, { name: "a", kind: "cmdline", version: "1", value: "x" }] }, ["components[1].name", "duplicate"]],
    ["dangling reference", { components: [{ name: "k", kind: "kernel", version: "1", path: "k", initrd: "nope" }] }, ["components[0].initrd", "no initrd component named 'nope'"]],
    ["unknown field", { components: [{ name: "a", kind: "cmdline", version: "1", value: "", colour: "blue" }] }, ["components[0]", "'colour'"]],
    ["wrong manifest version", { version: 2 }, ["version"]],
    ["claims that are not URIs", { components: [{ name: "a", kind: "cmdline", version: "1", value: "", claims: ["not a uri"] }] }, ["components[0].claims[0]"]],
    ["a NUL in a command line", { components: [{ name: "a", kind: "cmdline", version: "1", value: "a\u0000b" }] }, ["components[0].value", "NUL"]],
    ["an unpaired surrogate in a command line", { components: [{ name: "a", kind: "cmdline", version: "1", value: "a\ud800b" }] }, ["components[0].value", "surrogate"]],
    ["0 vCPUs", { components: [{ name: "f", kind: "firmware", version: "1", path: "f", launchDigests: [{ mode: "snp", vcpus: "0", vmmTypes: ["gce"] }] }] }, ["components[0].launchDigests[0].vcpus", "0 vCPUs"]],
    ["vCPUs in sev mode", { components: [{ name: "f", kind: "firmware", version: "1", path: "f", launchDigests: [{ mode: "sev", vcpus: "4" }] }] }, ["components[0].launchDigests[0].vcpus", "sev mode"]],
  ];
  for (const [name, overrides, mentions] of bad) {
    it(`rejects a manifest with ${name}, naming the file and field`, () => {
      const { path } = writeManifest({ version: 1, release: { name: "r", version: "1" }, ...(overrides as object) });
      expectRejected(runCli(["measure", "release", "--manifest", path]), "release.json", ...mentions);
    });
  }

  it("rejects a manifest that is not UTF-8", () => {
    const { path } = writeManifest(undefined, "");
    writeFileSync(path, Buffer.concat([Buffer.from('{"version": 1, "release": {"name": "caf'), Buffer.from([0xe9]), Buffer.from('", "version": "1"}}')]));
    expectRejected(runCli(["measure", "release", "--manifest", path]), "release.json", "not UTF-8");
  });

  it("rejects JSON syntax errors", () => {
    const { path } = writeManifest(undefined, '{"version": 1,');
    expectRejected(runCli(["measure", "release", "--manifest", path]), "release.json", "not valid JSON");
  });

  it("names the component and file when a component's file is missing or malformed, and writes nothing", () => {
    const missing = amdSevRelease();
    (missing.components[2] as { path: string }).path = "nowhere/initrd.img";
    const { dir, path } = writeManifest(missing);
    const out = join(dir, "rv.json");
    expectRejected(runCli(["measure", "release", "--manifest", path, "--out", out]), "release.json: components[2].path (nowhere/initrd.img): no such file");
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(["release.json"]);

    const notKernel = amdSevRelease();
    (notKernel.components[1] as { path: string }).path = fixturePath("firmware/OVMF.fd");
    expectRejected(runCli(["measure", "release", "--manifest", writeManifest(notKernel).path]), "components[1].path", "bzImage");
  });

  it("names the launch configuration a firmware cannot measure", () => {
    const debian = amdSevRelease();
    (debian.components[0] as { path: string }).path = fixturePath("firmware/OVMF.fd");
    expectRejected(runCli(["measure", "release", "--manifest", writeManifest(debian).path]), "components[0].launchDigests[0]", "SNP_KERNEL_HASHES");
  });
});
