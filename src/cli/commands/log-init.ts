import { DEFAULT_LOG_NAME, logPaths } from "../../tlog/embedded/log.js";
import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { DEFAULT_LOG_DIR, initLogDir, refuseRenamedLogOption } from "../log-dir.js";
import { emit, json } from "../output.js";

const NAME = "log init";
const OPTIONS = {
  log: { type: "string", value: "DIR", description: `directory for the log (default ${DEFAULT_LOG_DIR})` },
  name: { type: "string", value: "HOST", description: `host name the log signs checkpoints with (default ${DEFAULT_LOG_NAME})` },
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

export const command: Command = {
  async run(argv) {
    refuseRenamedLogOption(NAME, argv);
    const { options: o, positionals } = parseOptions(NAME, argv, OPTIONS);
    if (o.help) {
      process.stdout.write(helpText(`reftrail ${NAME} [--log DIR] [--name HOST]`, "Creates an embedded transparency log: its database and its ECDSA P-256 signing key (mode 0600).", OPTIONS));
      return ExitCode.OK;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const dir = o.log ?? DEFAULT_LOG_DIR;
    const { treeId, logId } = initLogDir(dir, o.name);
    const paths = logPaths(dir);
    const result = { log: dir, name: o.name ?? DEFAULT_LOG_NAME, treeId: treeId.toString(), logId, publicKey: paths.publicKey };
    emit(o.json ? json(result) : `created log ${result.name} - ${result.treeId} in ${dir}\nlog id ${logId}\npublic key ${paths.publicKey}\n`, o.out);
    return ExitCode.OK;
  },
};
