import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { emit, json } from "../output.js";
import { DEFAULT_LOG_DIR, LOG_DIR_OPTION, refuseRenamedLogOption, withLogDir } from "../log-dir.js";

const NAME = "log info";
const OPTIONS = {
  ...LOG_DIR_OPTION,
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

export const command: Command = {
  async run(argv) {
    refuseRenamedLogOption(NAME, argv);
    const { options: o, positionals } = parseOptions(NAME, argv, OPTIONS);
    if (o.help) {
      process.stdout.write(helpText(`reftrail ${NAME} [--log DIR] [--json]`, "Prints an embedded log's size, root hash and latest signed checkpoint.", OPTIONS));
      return ExitCode.OK;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const report = withLogDir(o.log ?? DEFAULT_LOG_DIR, (log) => ({
      ...log.info(),
      origin: log.origin,
      logId: log.identity.logId,
      publicKey: log.identity.publicKey.export({ type: "spki", format: "pem" }) as string,
    }));
    emit(
      o.json
        ? json(report)
        : `log      ${report.origin}\nlog id   ${report.logId}\nsize     ${report.treeSize}\nroot     ${report.rootHash}\ncheckpoint:\n${report.signedTreeHead}`,
      o.out,
    );
    return ExitCode.OK;
  },
};
