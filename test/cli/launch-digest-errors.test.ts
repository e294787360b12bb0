import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { FIXTURES, fixturePath } from "../helpers/fixtures.js";
import { readTsv, shellWords } from "../helpers/tsv.js";
import { expectRejected } from "../helpers/expect.js";


/** What each errors-reference.tsv row's message must name: the input at fault and the problem. */
const EXPECTED_MENTIONS: readonly (readonly string[])[] = [
  ["firmware/OVMF.fd", "SNP_KERNEL_HASHES"],
  ["firmware/OVMF_CODE.fd", "SNP_KERNEL_HASHES"],
  ["firmware/ovmf_OvmfX64_suffix.bin", "SNP_KERNEL_HASHES"],
  ["firmware/OVMF_CODE_4M.fd", "SNP_KERNEL_HASHES"],
  ["firmware/OVMF.fd", "kernel/initrd/cmdline"],
  ["firmware/OVMF.fd", "kernel/initrd/cmdline"],
  ["firmware/OVMF_CODE_4M.fd", "kernel/initrd/cmdline"],
  ["firmware/OVMF_VARS.fd", "SEV_ES_RESET_BLOCK"],
  ["firmware/OVMF_VARS.fd", "SEV_ES_RESET_BLOCK"],
  ["--vcpu-type", "snp"],
  ["--vcpu-type", "seves"],
  ["--vcpus"],
  ["--initrd", "--kernel"],
  ["--append", "--kernel"],
  ["--vcpu-type", "EPYC-v5"],
  ["--vmm-type", "xen"],
  ["--vmm-type", "EC2"],
  ["snp:svsm", "QEMU"],
  ["--vars-size"],
  ["--snp-ovmf-hash", "seves"],
  ["--snp-ovmf-hash", "zz"],
  ["--snp-ovmf-hash", "96 hex"],
  ["kernel/does-not-exist", "no such file"],
  ["firmware/does-not-exist.fd", "no such file"],
  ["kernel/odd_1000.bin", "4096"],
  ["kernel/empty.bin", "too small"],
  ["kernel/empty.bin", "too small"],
  ["kernel/odd_1000.bin", "4096"],
  ["--guest-features", "abc"],
  ["--dump-vmsa", "sev"],
];

describe("errors-reference.tsv: inputs sev-snp-measure rejects", () => {
  const rows = readTsv("launch-digests/errors-reference.tsv");
  it("has one expectation per row", () => expect(rows).toHaveLength(EXPECTED_MENTIONS.length));
  rows.forEach((row, i) => {
    const argv = shellWords(row["command"]!);
    it(`row ${i + 1} (${row["note"] || row["error_message(last stderr line)"]}): exit 2 naming the input`, () => {
      expectRejected(runCli(["measure", "launch-digest", ...argv.slice(1)], { cwd: FIXTURES }), ...EXPECTED_MENTIONS[i]!);
    });
  });
});

describe("further bad input", () => {
  const dir = mkdtempSync(join(tmpdir(), "reftrail-bad-"));
  const ovmf = readFileSync(fixturePath("firmware/OVMF.fd"));
  const write = (name: string, bytes: Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const snp = (ovmfPath: string, ...extra: string[]) =>
    runCli(["measure", "launch-digest", "--mode", "snp", "--ovmf", ovmfPath, "--vcpus", "1", "--vcpu-type", "EPYC-v4", ...extra]);

  it("a firmware truncated to its first half (footer lost) has no reset block", () => {
    expectRejected(snp(write("head.fd", ovmf.subarray(0, ovmf.length / 2))), "head.fd", "SEV_ES_RESET_BLOCK");
  });
  it("a firmware truncated by one byte is not page-aligned", () => {
    expectRejected(snp(write("short.fd", ovmf.subarray(0, ovmf.length - 1))), "short.fd", "4096");
  });
  it("the last page alone keeps every table: with the firmware's precomputed hash it measures like the whole image", () => {
    // Oracle: snp, OVMF.fd, 1 vCPU EPYC, QEMU, gf 0x1 = 11570979...; OVMF.fd's firmware hash = ba2c8115... (oracle-visible.tsv).
    const tail = write("tail.fd", ovmf.subarray(ovmf.length - 4096));
    const result = snp(tail, "--snp-ovmf-hash", "ba2c811512ef868474f239a21f7d7057d65a20de87a003c4f116e4fb1573183bfbcd75c3e99b2f558575a5d0094f73c6");
    expect(result.stdout.trim()).toBe("11570979c77a0adb515761a702527c8b9e11554e730552621d950988613a3a75c6ff1703f540bd22a9beede8fe7a97e3");
  });
  it("random bytes are not a firmware", () => {
    const random = new Uint8Array(8192).map((_, i) => (i * 2654435761) >>> 24);
    expectRejected(snp(write("random.bin", random)), "random.bin", "SEV_ES_RESET_BLOCK");
  });
  it("a text file of odd size is not a firmware", () => {
    expectRejected(snp(write("notes.txt", new TextEncoder().encode("not firmware\n"))), "notes.txt", "too small");
  });
  it("a firmware whose footer table claims more bytes than the image has", () => {
    const bad = Uint8Array.from(ovmf);
    const footer = bad.length - 32 - 18;
    bad[footer] = 0xff;
    bad[footer + 1] = 0xff;
    expectRejected(snp(write("bigtable.fd", bad.subarray(bad.length - 4096))), "bigtable.fd", "footer table");
  });
  it("a directory instead of a firmware file", () => expectRejected(snp(dir), dir, "directory"));
  it("an unreadable kernel path is named", () => expectRejected(
    runCli(["measure", "launch-digest", "--mode", "sev", "--ovmf", fixturePath("firmware/ovmf_AmdSev_suffix.bin"), "--kernel", join(dir, "nope")]),
    "--kernel", "nope", "no such file",
  ));
  it("a kernel with a firmware that has no hashes table, before the kernel is hashed", () => expectRejected(
    snp(fixturePath("firmware/OVMF.fd"), "--kernel", fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64")),
    "OVMF.fd", "SNP_KERNEL_HASHES",
  ));

  const base = ["measure", "launch-digest", "--mode", "snp", "--ovmf", "firmware/OVMF.fd"];
  const cases: [string, string[], string[]][] = [
    ["unknown vCPU type in a list", ["--vcpus", "1", "--vcpu-type", "EPYC,EPYC-Zen9"], ["--vcpu-type", "EPYC-Zen9"]],
    ["malformed guest features hex", ["--vcpus", "1", "--vcpu-type", "EPYC", "--guest-features", "0xzz"], ["--guest-features", "0xzz"]],
    ["guest features beyond 64 bits", ["--vcpus", "1", "--vcpu-type", "EPYC", "--guest-features", "0x10000000000000000"], ["--guest-features", "out of range"]],
    ["malformed vCPU signature", ["--vcpus", "1", "--vcpu-sig", "0xg00f11"], ["--vcpu-sig"]],
    ["vCPU signature beyond 32 bits", ["--vcpus", "1", "--vcpu-sig", "0x100000000"], ["--vcpu-sig", "out of range"]],
    ["family without model and stepping", ["--vcpus", "1", "--vcpu-family", "25"], ["--vcpu-model"]],
    ["stepping beyond 4 bits", ["--vcpus", "1", "--vcpu-family", "25", "--vcpu-model", "1", "--vcpu-stepping", "16"], ["--vcpu-stepping"]],
    ["vCPU range above 512", ["--vcpus", "1-600", "--vcpu-type", "EPYC"], ["--vcpus", "512"]],
    ["vCPU count above 512", ["--vcpus", "513", "--vcpu-type", "EPYC"], ["--vcpus", "512"]],
    ["vCPU range starting at 0", ["--vcpus", "0-4", "--vcpu-type", "EPYC"], ["--vcpus", "out of bounds"]],
    ["reversed vCPU range", ["--vcpus", "8-4", "--vcpu-type", "EPYC"], ["--vcpus", "8-4"]],
    ["vCPU count that is not a number", ["--vcpus", "four", "--vcpu-type", "EPYC"], ["--vcpus", "four"]],
    ["negative vCPU count", ["--vcpus=-1", "--vcpu-type", "EPYC"], ["--vcpus"]],
    ["unknown option", ["--vcpus", "1", "--vcpu-type", "EPYC", "--vcpu-typo", "x"], ["--vcpu-typo"]],
    ["option without its value", ["--vcpus", "1", "--vcpu-type"], ["--vcpu-type", "value"]],
    ["stray positional argument", ["--vcpus", "1", "--vcpu-type", "EPYC", "extra"], ["extra"]],
    ["unknown output format", ["--vcpus", "1", "--vcpu-type", "EPYC", "--output-format", "hexx"], ["--output-format", "hexx"]],
    ["a second --mode (the last one does not win)", ["--vcpus", "1", "--vcpu-type", "EPYC", "--mode", "tdx"], ["--mode given more than once"]],
    ["misaligned VMSA GPA", ["--vcpus", "1", "--vcpu-type", "EPYC", "--vmsa-gpa", "0xfffffffff001"], ["--vmsa-gpa"]],
    ["--dump-vmsa with several configurations", ["--vcpus", "1", "--vcpu-type", "EPYC,EPYC-Milan", "--dump-vmsa"], ["--dump-vmsa"]],
  ];
  for (const [name, extra, mentions] of cases) {
    it(name, () => expectRejected(runCli([...base, ...extra], { cwd: FIXTURES }), ...mentions));
  }

  it("unknown mode", () => {
    expectRejected(runCli(["measure", "launch-digest", "--mode", "tdx", "--ovmf", "firmware/OVMF.fd", "--vcpus", "1", "--vcpu-type", "EPYC"], { cwd: FIXTURES }), "--mode", "tdx");
  });

  it("flags a mode ignores are still validated (snp:ovmf-hash --vcpus abc)", () => {
    expectRejected(runCli(["measure", "launch-digest", "--mode", "snp:ovmf-hash", "--ovmf", "firmware/OVMF.fd", "--vcpus", "abc"], { cwd: FIXTURES }), "--vcpus", "abc");
  });

  it("a device that never ends (/dev/zero) is refused at once, not read", () => {
    expectRejected(snp("/dev/zero"), "/dev/zero", "not a regular file");
  });

  it("a named pipe is refused without blocking on it", () => {
    const fifo = join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    expectRejected(snp(fifo), "fifo", "not a regular file");
    expectRejected(runCli(["measure", "launch-digest", "--mode", "sev", "--ovmf", fixturePath("firmware/ovmf_AmdSev_suffix.bin"), "--kernel", fifo]), "--kernel", "not a regular file");
  });

  it("an --out file in a missing directory names --out, after no other output", () => {
    const result = runCli([...base, "--vcpus", "0", "--vmm-type", "gce", "--out", join(dir, "missing", "x.json")], { cwd: FIXTURES });
    expectRejected(result, "--out", "directory does not exist");
  });

  describe("kernel-hashes table placement (QEMU refuses these)", () => {
    const amd = readFileSync(fixturePath("firmware/ovmf_AmdSev_suffix.bin"));
    // SEV_HASH_TABLE_RV 7255371f-3a3b-4b04-927b-1da6efa8d454: payload "u32 gpa, u32 size" precedes "u16 size ‖ GUID".
    const rvGuid = Buffer.from(amd).lastIndexOf(Buffer.from("1f3755723b3a044b927b1da6efa8d454", "hex"));
    const patched = (gpa: number, size: number) => {
      const b = Buffer.from(amd);
      b.writeUInt32LE(gpa, rvGuid - 2 - 8);
      b.writeUInt32LE(size, rvGuid - 2 - 4);
      return b;
    };
    const withKernel = (file: string) =>
      runCli(["measure", "launch-digest", "--mode", "snp", "--ovmf", file, "--vcpus", "1", "--vcpu-type", "EPYC", "--kernel", "/dev/null"]);
    it("the fixture's table sits at 0x810c00 with 0x400 bytes", () => {
      expect(Buffer.from(amd).readUInt32LE(rvGuid - 10)).toBe(0x810c00);
      expect(withKernel(write("amd-ok.bin", patched(0x810c00, 0x400))).status).toBe(0);
    });
    it("a table outside the SNP_KERNEL_HASHES page", () => {
      expectRejected(withKernel(write("amd-outside.bin", patched(0x811c00, 0x400))), "amd-outside.bin", "does not fit");
    });
    it("a table crossing the end of its page", () => {
      expectRejected(withKernel(write("amd-cross.bin", patched(0x810fc0, 0x400))), "amd-cross.bin", "does not fit");
    });
    it("a reserved area smaller than the table", () => {
      expectRejected(withKernel(write("amd-small.bin", patched(0x810c00, 100))), "amd-small.bin", "reserves 100 bytes");
    });
  });

  it("with --json the error is also a JSON object on stdout", () => {
    const result = runCli([...base, "--vcpus", "1", "--vcpu-type", "EPYC-v5", "--json"], { cwd: FIXTURES });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: "UNKNOWN_VCPU_TYPE", subject: "--vcpu-type" } });
  });

  it("a failed run leaves no --out file and no temporary file behind", () => {
    const out = join(dir, "never.json");
    expectRejected(runCli([...base, "--vcpus", "1", "--vcpu-type", "EPYC", "--kernel", "kernel/initrd.img", "--out", out], { cwd: FIXTURES }));
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes("never"))).toEqual([]);
  });
});
