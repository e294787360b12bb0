import { join } from "node:path";
import { generateTestHierarchy, testReport, TEST_HIERARCHY_WARNING } from "../../verify/snp/test-hierarchy.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { fromHex } from "../../util/bytes.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, InputError, UsageError } from "../errors.js";
import { formatTable, json, outputError, outputFolder, warn } from "../output.js";
import { productOption } from "../product-option.js";

const NAME = "demo snp-report";
const OPTIONS = {
  measurement: { type: "string", value: "HEX", description: "the MEASUREMENT to put in the report: 48 bytes, 96 hex digits (required)" },
  out: { type: "string", value: "DIR", description: "folder for report.bin, vcek.pem, cert_chain.pem (ASK, ARK) and ark.pem (required)" },
  product: { type: "string", value: "NAME", description: "Milan (default), Genoa or Turin" },
  "report-data": { type: "string", value: "HEX", description: "REPORT_DATA: 64 bytes, 128 hex digits (default: zeros)" },
  "report-version": { type: "string", value: "N", description: "report version 3 (default) or 5" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

function hexOption(option: string, text: string, size: number): Uint8Array {
  const bytes = fromHex(text.trim());
  if (bytes === undefined || bytes.byteLength !== size) throw new UsageError(`must be ${size} bytes as ${2 * size} hex digits`, option);
  return bytes;
}

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--measurement HEX --out DIR [--product NAME] [--report-data HEX] [--report-version 3|5] [--json]",
    summary:
      "TEST ONLY. Generates a throw-away AMD-like key hierarchy (ARK, ASK, VCEK; not AMD's, never trusted by default) and an SEV-SNP report with the given MEASUREMENT signed by its VCEK, for demonstrations without SEV-SNP hardware. The report verifies only with --trust-root naming the ARK written here.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["measurement", "out"]);
  const measurement = hexOption("--measurement", o.measurement!, 48);
  const reportData = o["report-data"] === undefined ? undefined : hexOption("--report-data", o["report-data"], 64);
  const version = o["report-version"] ?? "3";
  if (version !== "3" && version !== "5") throw new UsageError(`'${version}' is not 3 or 5`, "--report-version");
  const product = productOption(o.product) ?? "Milan";

  const hierarchy = generateTestHierarchy({ product });
  const report = testReport(hierarchy, { measurement, version: version === "3" ? 3 : 5, ...(reportData ? { reportData } : {}) });
  outputFolder("--out", o.out!);
  const files = {
    report: join(o.out!, "report.bin"),
    vcek: join(o.out!, "vcek.pem"),
    chain: join(o.out!, "cert_chain.pem"),
    ark: join(o.out!, "ark.pem"),
  };
  const contents: [string, string | Uint8Array][] = [
    [files.report, report],
    [files.vcek, hierarchy.vcek.pem],
    // AMD KDS cert_chain order: the ASK, then the ARK.
    [files.chain, hierarchy.ask.pem + hierarchy.ark.pem],
    [files.ark, hierarchy.ark.pem],
  ];
  for (const [path, data] of contents) {
    try {
      writeFileAtomic(path, data);
    } catch (err) {
      throw new InputError(...outputError(err), path);
    }
  }
  const verify = ["reftrail", "verify", "report", "--report", files.report, "--cert", files.vcek, "--chain", files.chain, "--trust-root", files.ark];
  warn(TEST_HIERARCHY_WARNING);
  if (o.json) {
    process.stdout.write(json({ testHierarchy: true, warning: TEST_HIERARCHY_WARNING, product, reportVersion: Number(version), files, verify }));
  } else {
    const rule = "*".repeat(72);
    process.stdout.write(
      [
        rule,
        `*** TEST HIERARCHY, NOT AMD: ${product} ARK -> ASK -> VCEK made just now by reftrail ***`,
        `*** ${TEST_HIERARCHY_WARNING}`,
        rule,
        formatTable(
          ["file", "what"],
          [
            [files.report, `version ${version} SEV-SNP report, MEASUREMENT ${Buffer.from(measurement).toString("hex")}, signed by the test VCEK`],
            [files.vcek, "test VCEK (CN SEV-VCEK, O reftrail test hierarchy)"],
            [files.chain, "test ASK, then test ARK"],
            [files.ark, "test ARK: trust it only to check this demonstration"],
          ],
        ).trimEnd(),
        `verify with: ${verify.join(" ")}`,
        "",
      ].join("\n"),
    );
  }
  return ExitCode.OK;
}

export const command: Command = { run };
