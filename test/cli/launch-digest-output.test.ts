import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LaunchDigestReport } from "../../src/schema/launch-digest-report.js";
import { runCli } from "../helpers/cli.js";
import { FIXTURES, ROOT, fixturePath } from "../helpers/fixtures.js";

const base = ["measure", "launch-digest", "--mode", "snp", "--ovmf", "firmware/OVMF.fd"];
const run = (...args: string[]) => runCli([...base, ...args], { cwd: FIXTURES });

describe("measure launch-digest output", () => {
  it("a sweep lists every QEMU vCPU type and ec2/gce once each (they ignore the type)", () => {
    const result = run("--vcpus", "1-3", "--vcpu-type", "all", "--vmm-type", "QEMU,ec2,gce", "--json");
    expect(result.status).toBe(0);
    const report = LaunchDigestReport.parse(JSON.parse(result.stdout));
    if (!("configurations" in report)) throw new Error("expected configurations");
    expect(report.configurations).toHaveLength(16 + 2);
    expect(report.configurations.map((c) => c.vmmType).filter((v) => v !== "QEMU")).toEqual(["ec2", "gce"]);
    for (const c of report.configurations) expect(Object.keys(c.digests)).toEqual(["1", "2", "3"]);
    const milan = report.configurations.find((c) => c.vcpuType === "EPYC-Milan")!;
    expect(milan.vcpuSignature).toBe("0xa00f11");
    // oracle-visible.tsv: snp OVMF.fd 2 vCPUs EPYC-Milan QEMU 0x1.
    expect(milan.digests["2"]).toBe("a175292a4a09fcfb760c5bd80c93ed667dbaafce6247d0f21fc06638658b3ebf2804d3019e2abed05cb6a9efe0a7464e");
  });

  it("several digests print as a table, one row per configuration and count", () => {
    const result = run("--vcpus", "1,2", "--vcpu-type", "EPYC,EPYC-Milan");
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^VMM\s+vCPU type\s+signature\s+features\s+vCPUs\s+snp launch digest$/);
    expect(lines).toHaveLength(1 + 4);
    expect(lines[4]).toMatch(/^QEMU\s+EPYC-Milan\s+0xa00f11\s+0x1\s+2\s+a175292a/);
  });

  it("snp:ovmf-hash prints hex whatever --output-format says, as the peer does (it feeds --snp-ovmf-hash)", () => {
    const result = runCli(["measure", "launch-digest", "--mode", "snp:ovmf-hash", "--ovmf", "firmware/OVMF.fd", "--output-format", "base64"], { cwd: FIXTURES });
    expect(result.stdout).toBe("ba2c811512ef868474f239a21f7d7057d65a20de87a003c4f116e4fb1573183bfbcd75c3e99b2f558575a5d0094f73c6\n");
  });

  it("a reader closing the pipe early ends the command quietly", () => {
    const cmd = `"${process.execPath}" "${join(ROOT, "dist/cli/main.js")}" measure launch-digest --mode snp --ovmf firmware/OVMF.fd --vcpus 1-512 --vcpu-type all | head -c 10`;
    const result = spawnSync("sh", ["-c", cmd], { cwd: FIXTURES, encoding: "utf8" });
    expect(result.stdout).toBe("VMM   vCPU");
    expect(result.stderr).toBe("");
  });

  it("snp:svsm honours --vmsa-gpa", () => {
    const svsm = ["measure", "launch-digest", "--mode", "snp:svsm", "--ovmf", "firmware/svsm_ovmf.fd", "--svsm", "firmware/svsm.bin", "--vars-size", "540672", "--vcpus", "4", "--vcpu-type", "EPYC-v4"];
    // upstream-test-vectors.tsv: 4 vCPUs = 27d154c2...
    expect(runCli(svsm, { cwd: FIXTURES }).stdout.trim()).toMatch(/^27d154c27b7b359c/);
    expect(runCli([...svsm, "--vmsa-gpa", "gce-genoa"], { cwd: FIXTURES }).stdout.trim()).not.toMatch(/^27d154c27b7b359c/);
  });

  it("-v names the mode as sev-snp-measure does", () => {
    const result = run("--vcpus", "1", "--vcpu-type", "EPYC", "-v");
    expect(result.stdout).toBe("Calculated SEV_SNP guest measurement: 11570979c77a0adb515761a702527c8b9e11554e730552621d950988613a3a75c6ff1703f540bd22a9beede8fe7a97e3\n");
  });

  it("--out writes the same document atomically, never executable nor writable by others", () => {
    const dir = mkdtempSync(join(tmpdir(), "reftrail-out-"));
    const out = join(dir, "digests.json");
    const written = run("--vcpus", "1-4", "--vcpu-type", "EPYC", "--json", "--out", out);
    expect(written.status).toBe(0);
    expect(written.stdout).toBe("");
    const printed = run("--vcpus", "1-4", "--vcpu-type", "EPYC", "--json");
    expect(readFileSync(out, "utf8")).toBe(printed.stdout);
    expect(statSync(out).mode & 0o133).toBe(0); // never executable, never writable by group or others
    expect(readdirSync(dir)).toEqual(["digests.json"]);
  });

  it("--dump-vmsa writes the BSP and AP VMSAs it measured", () => {
    const cwd = mkdtempSync(join(tmpdir(), "reftrail-vmsa-"));
    const result = runCli([...base.slice(0, 4), "--ovmf", fixturePath("firmware/OVMF.fd"), "--vcpus", "3", "--vcpu-type", "EPYC-v4", "--dump-vmsa"], { cwd });
    expect(result.status).toBe(0);
    expect(readdirSync(cwd).sort()).toEqual(["vmsa0.bin", "vmsa1.bin", "vmsa2.bin"]);
    const sha = (f: string) => createHash("sha384").update(readFileSync(join(cwd, f))).digest("hex");
    // launch-digest spec §4.3: QEMU BSP EPYC-v4 77920c4c…, QEMU AP (0x80b004) 8413b852….
    expect(sha("vmsa0.bin")).toMatch(/^77920c4c629ff47e/);
    expect(sha("vmsa1.bin")).toMatch(/^8413b852790765a3/);
    expect(sha("vmsa2.bin")).toBe(sha("vmsa1.bin"));
  });

  it("warns, on stderr and in the JSON, when an SNP firmware has no SEV metadata", () => {
    const args = ["measure", "launch-digest", "--mode", "snp", "--ovmf", "firmware/OVMF_CODE_4M.fd", "--vcpus", "1", "--vmm-type", "gce"];
    const text = runCli(args, { cwd: FIXTURES });
    expect(text.status).toBe(0);
    expect(text.stderr).toMatch(/^reftrail: warning: .*no SEV metadata/);
    const json = LaunchDigestReport.parse(JSON.parse(runCli([...args, "--json"], { cwd: FIXTURES }).stdout));
    expect(json.warnings.join(" ")).toContain("no SEV metadata");
  });

  it("--help documents every sev-snp-measure flag", () => {
    const result = runCli(["measure", "launch-digest", "--help"]);
    expect(result.status).toBe(0);
    for (const flag of ["--mode", "--ovmf", "--vcpus", "--vcpu-type", "--vcpu-sig", "--vcpu-family", "--vcpu-model", "--vcpu-stepping", "--vmm-type",
      "--guest-features", "--kernel", "--initrd", "--append", "--snp-ovmf-hash", "--svsm", "--vars-size", "--vars-file", "--output-format", "--dump-vmsa", "--json"]) {
      expect(result.stdout).toContain(flag);
    }
  });
});

describe("reftrail top level", () => {
  it("without arguments prints the overview and exits 2", () => {
    const result = runCli([]);
    expect(result.status).toBe(2);
    expect(result.stdout).toContain("reftrail measure launch-digest");
  });
  it("an unknown stage or verb is a usage error", () => {
    expect(runCli(["mesure", "launch-digest"]).status).toBe(2);
    expect(runCli(["measure", "launch-digests"]).stderr).toMatch(/^reftrail: error: unknown command 'reftrail measure launch-digests'/);
  });
  it("Object.prototype member names are unknown stages and verbs, not an internal error", () => {
    expect(runCli(["toString", "toString"]).stderr).toBe("reftrail: error: unknown stage 'toString' (stages: measure, keys, endorse, publish, verify, inspect, policy, log, audit, demo)\n");
    expect(runCli(["keys", "constructor"]).stderr).toBe("reftrail: error: unknown command 'reftrail keys constructor' (verbs: generate, register)\n");
    expect(runCli(["keys", "hasOwnProperty"]).status).toBe(2);
  });
  it("--version", () => expect(runCli(["--version"]).stdout).toMatch(/^reftrail \d+\.\d+\.\d+\n$/));
});

describe("npx reftrail", () => {
  it("runs the compiled CLI from the project directory", () => {
    // As a user's shell runs it: without the npm_* variables of the enclosing `npm test`.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
    const result = spawnSync("npx", ["--no", "--", "reftrail", "--version"], { cwd: ROOT, encoding: "utf8", env });
    expect(result.stdout).toMatch(/^reftrail \d+\.\d+\.\d+\n$/);
  });
});
