import { ReftrailError } from "../util/errors.js";
import { printable } from "../util/printable.js";
import { VERSION } from "../version.js";
import { COMMANDS } from "./command.js";
import { ExitCode, UsageError } from "./errors.js";
import { json } from "./output.js";


function overview(): string {
  const lines = ["usage: reftrail <stage> <verb> [options]   (every command takes --json and --help)", ""];
  for (const [stage, verbs] of Object.entries(COMMANDS)) {
    for (const [verb, entry] of Object.entries(verbs)) lines.push(`  reftrail ${`${stage} ${verb}`.padEnd(26)} ${entry.summary}`);
  }
  lines.push("", "exit codes: 0 ok, 1 verification failed, 2 usage or input error", "");
  return lines.join("\n");
}

/** One line on stderr (and a JSON object on stdout with --json); never a stack trace. */
export function reportError(err: unknown, asJson: boolean): number {
  const known = err instanceof ReftrailError;
  const code = known ? err.code : "INTERNAL";
  const message = known ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
  const subject = known ? err.subject : undefined;
  const line = printable((subject ? `${subject}: ${message}` : message).replace(/\s*\n\s*/g, " "));
  process.stderr.write(`reftrail: error: ${line}\n`);
  if (process.env["REFTRAIL_DEBUG"] && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  if (asJson) process.stdout.write(json({ error: { code, message, ...(subject ? { subject } : {}) } }));
  return ExitCode.USAGE_OR_INPUT;
}

export async function main(argv: readonly string[]): Promise<number> {
  const asJson = argv.includes("--json");
  try {
    const [stage, verb, ...rest] = argv;
    if (stage === undefined || stage === "help" || stage === "--help" || stage === "-h") {
      process.stdout.write(overview());
      return stage === undefined ? ExitCode.USAGE_OR_INPUT : ExitCode.OK;
    }
    if (stage === "--version") {
      process.stdout.write(`reftrail ${VERSION}\n`);
      return ExitCode.OK;
    }
    // Own properties only: `reftrail constructor …` is an unknown stage, not Object's constructor.
    const verbs = Object.hasOwn(COMMANDS, stage) ? COMMANDS[stage] : undefined;
    if (verbs === undefined) throw new UsageError(`unknown stage '${stage}' (stages: ${Object.keys(COMMANDS).join(", ")})`);
    if (verb === undefined || verb === "--help" || verb === "-h") {
      process.stdout.write(overview());
      return verb === undefined ? ExitCode.USAGE_OR_INPUT : ExitCode.OK;
    }
    const entry = Object.hasOwn(verbs, verb) ? verbs[verb] : undefined;
    if (entry === undefined) {
      throw new UsageError(`unknown command 'reftrail ${stage} ${verb}' (verbs: ${Object.keys(verbs).join(", ")})`);
    }
    const command = await entry.load().catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === "ERR_UNKNOWN_BUILTIN_MODULE") {
        throw new UsageError(`'reftrail ${stage} ${verb}' needs Node 24 (${(err as Error).message.replace(/^.*: /, "")} is missing from Node ${process.versions.node})`);
      }
      throw err;
    });
    return await command.run(rest);
  } catch (err) {
    return reportError(err, asJson);
  }
}
