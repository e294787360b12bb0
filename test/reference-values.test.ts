import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LaunchDigestReport } from "../src/schema/launch-digest-report.js";
import { runCli } from "./helpers/cli.js";
import { ROOT } from "./helpers/fixtures.js";
import { readTsv, shellWords } from "./helpers/tsv.js";

/** The README's main job (`npm start`) and the document it commits under reference-values/. */
describe("main job", () => {
  const script = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts["start"]!;
  const command = shellWords(script.split("&&").at(-1)!.trim());
  const outIndex = command.indexOf("--out");
  const committed = join(ROOT, command[outIndex + 1]!);

  it("reproduces the committed reference values exactly", () => {
    const out = join(mkdtempSync(join(tmpdir(), "reftrail-main-")), "out.json");
    const args = command.slice(2); // drop "node dist/cli/main.js"
    args[outIndex - 2 + 1] = out;
    const result = runCli(args);
    expect(result.status).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(readFileSync(committed, "utf8"));
  });

  it("contains the oracle's digests for the Debian firmware", () => {
    const report = LaunchDigestReport.parse(JSON.parse(readFileSync(committed, "utf8")));
    if (!("configurations" in report)) throw new Error("expected configurations");
    const rows = readTsv("launch-digests/oracle-visible.tsv").filter(
      (r) => r["mode"] === "snp" && r["ovmf_file"] === "firmware/OVMF.fd" && ["EPYC-Milan", "-"].includes(r["vcpu_type"]!) && ["0x1", "0x21"].includes(r["guest_features"]!),
    );
    expect(rows.length).toBeGreaterThanOrEqual(8);
    for (const row of rows) {
      const config = report.configurations.find(
        (c) => c.vmmType === row["vmm_type"] && c.guestFeatures === row["guest_features"] && (c.vmmType !== "QEMU" || c.vcpuType === row["vcpu_type"]),
      );
      expect(config?.digests[row["vcpus"]!], JSON.stringify(row)).toBe(row["expected_digest_hex"]);
    }
  });
});
