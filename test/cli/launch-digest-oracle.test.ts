import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { readTsv, shellWords } from "../helpers/tsv.js";
import { LaunchDigestReport } from "../../src/schema/launch-digest-report.js";

/**
 * Every row of the sev-snp-measure oracle tables, run as the exact command line it records with
 * `sev-snp-measure` replaced by `reftrail measure launch-digest`, in the fixtures directory.
 */
const tables = ["launch-digests/oracle-visible.tsv", "launch-digests/upstream-test-vectors.tsv"];

for (const table of tables) {
  const rows = readTsv(table);
  describe(table, () => {
    it("has the rows the fixture manifest announces", () => {
      expect(rows.length).toBe(table.includes("oracle") ? 47 : 24);
    });
    rows.forEach((row, index) => {
      const argv = shellWords(row["command"]!);
      expect(argv[0]).toBe("sev-snp-measure");
      const args = ["measure", "launch-digest", ...argv.slice(1)];
      const expected = row["expected_digest_hex"]!;
      const base64 = args.includes("base64");

      it(`row ${index + 1}: ${argv.slice(1).join(" ")}`, () => {
        const result = runCli(args, { cwd: FIXTURES });
        expect(result.stderr.replace(/^reftrail: warning: .*\n/gm, "")).toBe("");
        expect(result.status).toBe(0);
        const printed = result.stdout.trim();
        expect(base64 ? Buffer.from(printed, "base64").toString("hex") : printed).toBe(expected);
      });

      it(`row ${index + 1} with --json`, () => {
        const result = runCli([...args, "--json"], { cwd: FIXTURES });
        expect(result.status).toBe(0);
        const report = LaunchDigestReport.parse(JSON.parse(result.stdout));
        expect(report.mode).toBe(row["mode"]);
        const digest = "digest" in report ? report.digest : "digests" in report ? report.digests[row["vcpus"]!] : undefined;
        expect(digest).toBeDefined();
        expect(base64 ? Buffer.from(digest!, "base64").toString("hex") : digest).toBe(expected);
        if (row["kernel_sha256"] !== "-") expect(report.kernelHashes?.kernel.sha256).toBe(row["kernel_sha256"]);
        if (row["initrd_sha256"] !== "-") expect(report.kernelHashes?.initrd.sha256).toBe(row["initrd_sha256"]);
      });
    });
  });
}
