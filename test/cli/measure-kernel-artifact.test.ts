import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ArtifactDigests, KernelMeasurement } from "../../src/schema/kernel-measurement.js";
import { runCli } from "../helpers/cli.js";
import { FIXTURES, ROOT, fixturePath } from "../helpers/fixtures.js";
import { opensslDigest, sha256sum, sha256sumOf } from "../helpers/sha.js";
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
  it("the progress bar's file name is printed escaped too", () => {
    const big = join(mkdtempSync(join(tmpdir(), "reftrail-progress-")), "big\u001b[2Kx.bin");
    writeFileSync(big, Buffer.alloc(64 << 20, 2));
    const tty = spawnSync("script", ["-qec", `"${process.execPath}" "${join(ROOT, "dist/cli/main.js")}" measure artifact --json "${big}"`, "/dev/null"], { encoding: "utf8" });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain("hashing ");
    expect(tty.stdout).toContain("big\\x1b[2Kx.bin [");
    expect(tty.stdout).not.toContain("\u001b[2K");
  });

  describe("file names sha256sum escapes", () => {
    // One file per troublesome name, each with its own content so a line checked against the wrong file fails.
    const dir = mkdtempSync(join(tmpdir(), "reftrail-names-"));
    const escaped = ["plain.bin", "new\nline", "back\\slash", "carriage\rreturn", "all\\three\n\r", " leading and trailing space ", "ünïcödé ≤ —", "-dash"];
    const unprintable = ["soh\u0001x", "esc\u001b[2Kx", "tab\there", "del\u007fx", "bidi\u202ex", "newline\nand\u0001soh"];
    for (const [i, name] of [...escaped, ...unprintable].entries()) writeFileSync(join(dir, name), `content ${i}\n`);
    const tool = (command: string, args: readonly string[], input?: string) => spawnSync(command, args, { cwd: dir, encoding: "utf8", ...(input !== undefined ? { input } : {}) });

    for (const algorithm of ["sha256", "sha384", "sha512"] as const) {
      it(`backslash, newline, carriage return: exactly GNU ${algorithm}sum's lines, and ${algorithm}sum -c --strict accepts them`, () => {
        const r = runCli(["measure", "artifact", "--algorithms", algorithm, "--", ...escaped], { cwd: dir });
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        const gnu = tool(`${algorithm}sum`, ["--", ...escaped]);
        expect(gnu.status).toBe(0);
        expect(r.stdout).toBe(gnu.stdout);
        const check = tool(`${algorithm}sum`, ["-c", "--strict", "-"], r.stdout);
        expect(check.stderr).toBe("");
        expect(check.status).toBe(0);
        expect(check.stdout.trim().split("\n")).toHaveLength(escaped.length);
      });
    }

    it("other control characters and bidi overrides are printed escaped, with a warning; sha256sum -c fails those lines, never skips them", () => {
      const r = runCli(["measure", "artifact", "plain.bin", ...unprintable], { cwd: dir });
      expect(r.status).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      const lines = r.stdout.split("\n").slice(0, -1);
      expect(lines).toHaveLength(1 + unprintable.length);
      expect(lines.slice(1).map((l) => l.slice(66))).toEqual(["soh\\x01x", "esc\\x1b[2Kx", "tab\\x09here", "del\\x7fx", "bidi\\u202ex", "newline\\nand\\x01soh"]);
      expect(lines[0]).toBe(`${sha256sum(join(dir, "plain.bin"))}  plain.bin`);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/^reftrail: warning: .*6 file names.*sha256sum -c.*--json/);
      const check = tool("sha256sum", ["-c", "-"], r.stdout);
      expect(check.status).toBe(1);
      expect(check.stdout).toContain("plain.bin: OK");
      expect(check.stdout.match(/FAILED open or read/g)).toHaveLength(unprintable.length);
      expect(check.stderr).not.toContain("improperly formatted");
    });

    it("--json keeps every name as it is", () => {
      const r = ArtifactDigests.parse(JSON.parse(runCli(["measure", "artifact", "--json", "--", ...escaped, ...unprintable], { cwd: dir }).stdout));
      expect(r.artifacts.map((a) => a.path)).toEqual([...escaped, ...unprintable]);
    });
  });

  it("a directory, a missing file, no file", () => {
    expectRejected(runCli(["measure", "artifact", "kernel"], { cwd: FIXTURES }), "kernel", "directory");
    expectRejected(runCli(["measure", "artifact", "kernel/initrd.img", "nope"], { cwd: FIXTURES }), "nope", "no such file");
    expectRejected(runCli(["measure", "artifact"]), "no FILE");
  });
});
