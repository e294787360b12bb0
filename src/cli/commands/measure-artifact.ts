import { toHex } from "../../util/bytes.js";
import type { ArtifactDigests } from "../../schema/kernel-measurement.js";
import { parseAlgorithms } from "../algorithms.js";
import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { digestInputFile } from "../file-digests.js";
import { checkInputFile } from "../input.js";
import { emit, formatTable, json } from "../output.js";

const NAME = "measure artifact";
const OPTIONS = {
  algorithms: { type: "string", value: "LIST", description: "sha256 (default), sha384, sha512, comma-separated; all in one read pass" },
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const { options: o, positionals: files } = parseOptions(NAME, argv, OPTIONS);
  if (o.help) {
    process.stdout.write(helpText(`reftrail ${NAME} FILE... [--algorithms LIST] [--json]`,
      "Digests of any artifact, streamed with flat memory; with one algorithm the output is sha256sum-compatible.", OPTIONS));
    return ExitCode.OK;
  }
  if (files.length === 0) throw new UsageError(`no FILE given (see 'reftrail ${NAME} --help')`);
  const algorithms = parseAlgorithms(o.algorithms);
  for (const f of files) checkInputFile("FILE", f);
  const report: ArtifactDigests = { version: 1, artifacts: [] };
  for (const path of files) {
    const { digests, size } = await digestInputFile("FILE", path, algorithms);
    report.artifacts.push({ path, size, digests: Object.fromEntries(algorithms.map((a) => [a, toHex(digests[a])])) });
  }
  let text: string;
  if (o.json) text = json(report);
  else if (algorithms.length === 1) text = report.artifacts.map((a) => `${a.digests[algorithms[0]!]}  ${a.path}\n`).join("");
  else text = formatTable(["file", "algorithm", "digest"], report.artifacts.flatMap((a) => algorithms.map((alg) => [a.path, alg, a.digests[alg]!])));
  emit(text, o.out);
  return ExitCode.OK;
}

export const command: Command = { run };
