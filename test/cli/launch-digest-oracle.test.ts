import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { readOracleRows } from "../helpers/tsv.js";
import { LaunchDigestReport } from "../../src/schema/launch-digest-report.js";

/**
 * Every row of the sev-snp-measure oracle tables, run as the exact arguments it records with
 * `sev-snp-measure` replaced by `reftrail measure launch-digest`, in the fixtures directory.
 * amdsev-visible.tsv covers the AmdSevX64 firmware with a kernel-hashes table (OVMF.amdsev.fd)
 * booting the real Debian kernel, initrd and command line.
 */
const tables: Record<string, number> = {
  "launch-digests/oracle-visible.tsv": 47,
  "launch-digests/upstream-test-vectors.tsv": 24,
  "launch-digests/amdsev-visible.tsv": 10,
};

for (const [table, count] of Object.entries(tables)) {
  const rows = readOracleRows(table);
  describe(table, () => {
    it("has the rows the fixture manifest announces", () => {
      expect(rows.length).toBe(count);
    });
    rows.forEach((row, index) => {
      const args = ["measure", "launch-digest", ...row.args];
      const base64 = row.option("--output-format") === "base64";

      it(`row ${index + 1}: ${row.args.join(" ")}`, () => {
        const result = runCli(args, { cwd: FIXTURES });
        expect(result.stderr.replace(/^reftrail: warning: .*\n/gm, "")).toBe("");
        expect(result.status).toBe(0);
        const printed = result.stdout.trim();
        expect(base64 ? Buffer.from(printed, "base64").toString("hex") : printed).toBe(row.expected);
      });

      it(`row ${index + 1} with --json`, () => {
        const result = runCli([...args, "--json"], { cwd: FIXTURES });
        expect(result.status).toBe(0);
        const report = LaunchDigestReport.parse(JSON.parse(result.stdout));
        expect(report.mode).toBe(row.columns["mode"] ?? row.option("--mode"));
        const digest = "digest" in report ? report.digest : "digests" in report ? report.digests[row.option("--vcpus")!] : undefined;
        expect(digest).toBeDefined();
        expect(base64 ? Buffer.from(digest!, "base64").toString("hex") : digest).toBe(row.expected);
        const kernel = row.fileSha256("kernel");
        const initrd = row.fileSha256("initrd");
        if (kernel !== undefined) expect(report.kernelHashes?.kernel.sha256).toBe(kernel);
        if (initrd !== undefined) expect(report.kernelHashes?.initrd.sha256).toBe(initrd);
      });
    });
  });
}
