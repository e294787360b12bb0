import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactDigests, KernelMeasurement } from "../../src/schema/kernel-measurement.js";
import { runCli } from "../helpers/cli.js";
import { FIXTURES, ROOT, fixturePath } from "../helpers/fixtures.js";
import { opensslDigest, sha256sumOf } from "../helpers/sha.js";
import { expectRejected } from "../helpers/expect.js";


const KERNEL = "kernel/vmlinuz-6.1.0-56-cloud-amd64";
const CMDLINE = "console=ttyS0 root=/dev/vda1 ro quiet";

describe("reftrail measure kernel", () => {
  it("bzImage with initrd and command line: Oak values and kernel-hashes table entries", () => {
    const result = runCli(["measure", "kernel", "--kernel", KERNEL, "--initrd", "kernel/initrd.img", "--append", CMDLINE, "--json"], { cwd: FIXTURES });
    expect(result.status).toBe(0);
    const r = KernelMeasurement.parse(JSON.parse(result.stdout));
    // The kernel-hashes entries of the oracle rows that boot this kernel, initrd and command line.
    expect(r.qemuKernelHashes).toEqual({
      kernel: "51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275",
      initrd: "9d76d40ecbf1604f0f9d8035e2a7dd9fa5aa938ab66eb4bf23abe90eb4d95fff",
      cmdline: sha256sumOf(new TextEncoder().encode(`${CMDLINE}\0`)),
    });
    expect(r.cmdline).toEqual({ source: "--append", value: CMDLINE, sha256: sha256sumOf(new TextEncoder().encode(CMDLINE)), sha256WithNul: r.qemuKernelHashes.cmdline });
    expect(r.initrd?.digests.sha256).toBe("9d76d40ecbf1604f0f9d8035e2a7dd9fa5aa938ab66eb4bf23abe90eb4d95fff");
    expect(r.kernel.setupDataModifications).toBe(true);
  });

  it("without initrd or command line the table holds the empty initrd and the lone NUL", () => {
    const r = KernelMeasurement.parse(JSON.parse(runCli(["measure", "kernel", "--kernel", KERNEL, "--json"], { cwd: FIXTURES }).stdout));
    expect(r.qemuKernelHashes).toEqual({
      kernel: "51349501a3d1ff83836437d2b365fd2d57f2feb8642d315e5181dec23d4c3275",
      initrd: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      cmdline: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    });
    expect(r.initrd).toBeNull();
    expect(r.cmdline).toBeNull();
  });

  it("SHA-256 is always there, even when only SHA-384 is asked for", () => {
    const r = KernelMeasurement.parse(JSON.parse(runCli(["measure", "kernel", "--kernel", KERNEL, "--algorithms", "sha384", "--json"], { cwd: FIXTURES }).stdout));
    for (const key of ["kernelImage", "setupData", "bzImage"] as const) expect(Object.keys(r.kernel[key]).sort(), key).toEqual(["sha256", "sha384"]);
  });

  it("a UKI yields the separate parts' values, its own initrd and command line included", () => {
    const uki = KernelMeasurement.parse(JSON.parse(runCli(["measure", "kernel", "--kernel", "kernel/uki-6.1.0-56-cloud-amd64.efi", "--json"], { cwd: FIXTURES }).stdout));
    const parts = KernelMeasurement.parse(JSON.parse(runCli(["measure", "kernel", "--kernel", KERNEL, "--initrd", "kernel/initrd.img", "--append", CMDLINE, "--json"], { cwd: FIXTURES }).stdout));
    expect(uki.kernel.format).toBe("uki");
    expect({ ...uki.kernel, format: "bzImage" }).toEqual(parts.kernel);
    expect(uki.initrd).toEqual({ source: "uki:.initrd", digests: parts.initrd!.digests });
    expect(uki.cmdline).toEqual({ ...parts.cmdline, source: "uki:.cmdline" });
    // QEMU -kernel uki.efi hashes the whole UKI; its embedded parts are not separate table entries.
    expect(uki.qemuKernelHashes).toEqual({
      kernel: sha256sumOf(readFileSync(fixturePath("kernel/uki-6.1.0-56-cloud-amd64.efi"))),
      initrd: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      cmdline: "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    });
  });

  it("human output names each value", () => {
    const text = runCli(["measure", "kernel", "--kernel", KERNEL, "--no-setup-data-modifications"], { cwd: FIXTURES }).stdout;
    expect(text).toMatch(/bzImage, boot protocol 2\.15, setup 39 sectors/);
    expect(text).toMatch(/setup data \(without QEMU loader edits; Oak setup_data_digest\)\s+sha256\s+[0-9a-f]{64}/);
  });

  const dir = mkdtempSync(join(tmpdir(), "reftrail-kernel-"));
  it("a truncated kernel", () => {
    const path = join(dir, "short");
    writeFileSync(path, Buffer.alloc(10240, 0));
    expectRejected(runCli(["measure", "kernel", "--kernel", path]), "--kernel", "short", "bzImage");
  });
  it("a file that is not a bzImage", () => expectRejected(runCli(["measure", "kernel", "--kernel", "firmware/OVMF.fd"], { cwd: FIXTURES }), "--kernel firmware/OVMF.fd", "boot_flag"));
  it("a missing initrd", () => expectRejected(runCli(["measure", "kernel", "--kernel", KERNEL, "--initrd", "kernel/none"], { cwd: FIXTURES }), "--initrd kernel/none", "no such file"));
  it("a UKI with a second initrd", () => expectRejected(runCli(["measure", "kernel", "--kernel", "kernel/uki-6.1.0-56-cloud-amd64.efi", "--initrd", "kernel/initrd.img"], { cwd: FIXTURES }), "--initrd", ".initrd"));
  it("an unknown algorithm", () => expectRejected(runCli(["measure", "kernel", "--kernel", KERNEL, "--algorithms", "sha256,md5"], { cwd: FIXTURES }), "--algorithms", "md5"));
});

describe("reftrail measure artifact", () => {
  it("with one algorithm prints sha256sum's format", () => {
    const result = runCli(["measure", "artifact", "firmware/OVMF.fd", "kernel/initrd.img"], { cwd: FIXTURES });
    expect(result.stdout).toBe(
      `${opensslDigest("sha256", fixturePath("firmware/OVMF.fd"))}  firmware/OVMF.fd\n${opensslDigest("sha256", fixturePath("kernel/initrd.img"))}  kernel/initrd.img\n`,
    );
  });
  it("all three algorithms in one pass, each equal to openssl dgst", () => {
    const result = runCli(["measure", "artifact", KERNEL, "--algorithms", "sha256,sha384,sha512", "--json"], { cwd: FIXTURES });
    const r = ArtifactDigests.parse(JSON.parse(result.stdout));
    for (const a of ["sha256", "sha384", "sha512"] as const) expect(r.artifacts[0]!.digests[a]).toBe(opensslDigest(a, fixturePath(KERNEL)));
    expect(r.artifacts[0]!.size).toBe(14186432);
  });
  it("shows a progress bar for a large file on a terminal (script(1) provides one), never in a pipe", () => {
    const big = join(mkdtempSync(join(tmpdir(), "reftrail-progress-")), "big.bin");
    writeFileSync(big, Buffer.alloc(70 << 20, 1));
    const piped = runCli(["measure", "artifact", big]);
    expect(piped.stderr).toBe("");
    const command = `"${process.execPath}" "${join(ROOT, "dist/cli/main.js")}" measure artifact "${big}"`;
    const tty = spawnSync("script", ["-qec", command, "/dev/null"], { encoding: "utf8" });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/hashing .*big\.bin \[#{30}\] 100% 70 MiB\/70 MiB/);
    expect(tty.stdout).toContain(opensslDigest("sha256", big));
  });

  it("a directory, a missing file, no file", () => {
    expectRejected(runCli(["measure", "artifact", "kernel"], { cwd: FIXTURES }), "kernel", "directory");
    expectRejected(runCli(["measure", "artifact", "kernel/initrd.img", "nope"], { cwd: FIXTURES }), "nope", "no such file");
    expectRejected(runCli(["measure", "artifact"]), "no FILE");
  });
});
