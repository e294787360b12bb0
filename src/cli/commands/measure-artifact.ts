import { toHex } from "../../util/bytes.js";
import type { ArtifactDigests } from "../../schema/kernel-measurement.js";
import { parseAlgorithms } from "../algorithms.js";
import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { digestInputFile } from "../file-digests.js";
import { checkInputFile } from "../input.js";
import { emit, formatTable, json, warn } from "../output.js";
import { checksumLine } from "../checksum-lines.js";

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
  let uncheckable: string[] = [];
  if (o.json) text = json(report);
  else if (algorithms.length === 1) {
    const lines = report.artifacts.map((a) => ({ path: a.path, ...checksumLine(a.digests[algorithms[0]!]!, a.path) }));
    text = lines.map((l) => l.text).join("");
    uncheckable = lines.filter((l) => !l.checkable).map((l) => l.path);
  } else text = formatTable(["file", "algorithm", "digest"], report.artifacts.flatMap((a) => algorithms.map((alg) => [a.path, alg, a.digests[alg]!])));
  emit(text, o.out);
  if (uncheckable.length) {
    const tool = `${algorithms[0]!}sum -c`;
    warn(`${uncheckable.length} file name${uncheckable.length > 1 ? "s have" : " has"} control characters, printed escaped (${uncheckable.join(", ")}): ${tool} cannot check ${uncheckable.length > 1 ? "those lines" : "that line"}; --json gives the names as they are`);
  }
  return ExitCode.OK;
}

export const command: Command = { run };
