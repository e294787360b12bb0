import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseReport } from "../../src/verify/snp/abi/report.js";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { openssl, requireOpenssl } from "../helpers/openssl.js";
import { tempDir } from "../helpers/tlog.js";

const MEASUREMENT = "8093af448b7d04ce34d65920d77fe9c4a8913f2c135bbd12367a5fcd06b6ec40521e51baf548d382ad2eb1ea85f02216";

describe("reftrail demo snp-report (TEST ONLY)", () => {
  const out = tempDir("demo-snp-report");
  const made = runCli(["demo", "snp-report", "--measurement", MEASUREMENT, "--out", out]);
  const files = { report: join(out, "report.bin"), vcek: join(out, "vcek.pem"), chain: join(out, "cert_chain.pem"), ark: join(out, "ark.pem") };

  it("writes report.bin, vcek.pem, cert_chain.pem and ark.pem, and says loudly that they are not AMD's", () => {
    expect(made.status).toBe(0);
    expect(made.stdout).toContain("TEST HIERARCHY, NOT AMD");
    expect(made.stderr).toMatch(/^reftrail: warning: TEST hierarchy, NOT AMD: .*--trust-root/);
    const report = parseReport(new Uint8Array(readFileSync(files.report)));
    expect(Buffer.from(report.measurement).toString("hex")).toBe(MEASUREMENT);
    expect(report.version).toBe(3);
    expect(readFileSync(files.chain, "utf8").match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(readFileSync(files.chain, "utf8").endsWith(readFileSync(files.ark, "utf8"))).toBe(true);
  });

  it("verify report accepts them with --trust-root naming the test ARK", () => {
    const result = runCli(["verify", "report", "--report", files.report, "--cert", files.vcek, "--chain", files.chain, "--trust-root", files.ark, "--json"]);
    expect(result.status).toBe(0);
    const verdict = JSON.parse(result.stdout) as { verified: boolean; failures: string[]; product: string };
    expect(verdict).toMatchObject({ verified: true, failures: [], product: "Milan" });
  });

  it("verify report refuses them against AMD's pinned roots (no --trust-root): ROOT_TRUSTED", () => {
    const result = runCli(["verify", "report", "--report", files.report, "--cert", files.vcek, "--chain", files.chain, "--json"]);
    expect(result.status).toBe(1);
    expect((JSON.parse(result.stdout) as { failures: string[] }).failures).toEqual(["ROOT_TRUSTED"]);
    // Nor with the VCEK alone, where AMD's pinned ASK is assumed.
    const alone = runCli(["verify", "report", "--report", files.report, "--cert", files.vcek, "--json"]);
    expect(alone.status).toBe(1);
    expect((JSON.parse(alone.stdout) as { failures: string[] }).failures).toContain("VEK_SIGNATURE");
  });

  it("verify report refuses a report whose signature was tampered with", () => {
    const bytes = readFileSync(files.report);
    bytes[0x2a0] = bytes[0x2a0]! ^ 0x80;
    const tampered = join(out, "tampered.bin");
    writeFileSync(tampered, bytes);
    const result = runCli(["verify", "report", "--report", tampered, "--cert", files.vcek, "--chain", files.chain, "--trust-root", files.ark, "--json"]);
    expect(result.status).toBe(1);
    expect((JSON.parse(result.stdout) as { failures: string[] }).failures).toEqual(["REPORT_SIGNATURE"]);
  });

  it("openssl verifies the written chain to the written ARK", (ctx) => {
    requireOpenssl(ctx);
    expect(openssl(["verify", "-CAfile", files.ark, "-untrusted", files.chain, files.vcek], out).trim()).toBe(`${files.vcek}: OK`);
  });

  it("--json, --product and --report-version 5, --report-data", () => {
    const dir = tempDir("demo-snp-report-turin");
    const reportData = "ab".repeat(64);
    const result = runCli(["demo", "snp-report", "--measurement", MEASUREMENT, "--out", dir, "--product", "turin", "--report-version", "5", "--report-data", reportData, "--json"]);
    expect(result.status).toBe(0);
    const printed = JSON.parse(result.stdout) as { testHierarchy: boolean; warning: string; product: string; verify: string[] };
    expect(printed).toMatchObject({ testHierarchy: true, product: "Turin" });
    expect(printed.warning).toContain("NOT AMD");
    const report = parseReport(new Uint8Array(readFileSync(join(dir, "report.bin"))));
    expect(report.version).toBe(5);
    expect(Buffer.from(report.reportData).toString("hex")).toBe(reportData);
    const verified = runCli([...printed.verify.slice(1), "--json"]);
    expect(verified.status).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ verified: true, product: "Turin" });
  });

  it("refuses bad options with one line naming the option", () => {
    const dir = tempDir("demo-snp-report-bad");
    expectRejected(runCli(["demo", "snp-report", "--measurement", MEASUREMENT.slice(2), "--out", dir]), "--measurement", "48 bytes");
    expectRejected(runCli(["demo", "snp-report", "--measurement", `${MEASUREMENT.slice(2)}zz`, "--out", dir]), "--measurement");
    expectRejected(runCli(["demo", "snp-report", "--measurement", MEASUREMENT, "--out", dir, "--report-data", "00"]), "--report-data", "64 bytes");
    expectRejected(runCli(["demo", "snp-report", "--measurement", MEASUREMENT, "--out", dir, "--report-version", "4"]), "--report-version");
    expectRejected(runCli(["demo", "snp-report", "--measurement", MEASUREMENT, "--out", dir, "--product", "Venice"]), "--product", "Venice");
    expectRejected(runCli(["demo", "snp-report", "--measurement", MEASUREMENT]), "--out");
    writeFileSync(join(dir, "file"), "");
    expectRejected(runCli(["demo", "snp-report", "--measurement", MEASUREMENT, "--out", join(dir, "file")]), "--out", "not a folder");
  });
});
