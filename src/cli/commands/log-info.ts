import { EmbeddedLog } from "../../tlog/embedded/log.js";
import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { emit, json } from "../output.js";
import { DEFAULT_LOG_DIR, LOG_DIR_OPTION, refuseRenamedLogOption } from "../log-dir.js";

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
    const log = EmbeddedLog.open(o.log ?? DEFAULT_LOG_DIR);
    try {
      const info = log.info();
      const report = { ...info, origin: log.origin, logId: log.identity.logId, publicKey: log.identity.publicKey.export({ type: "spki", format: "pem" }) as string };
      emit(
        o.json
          ? json(report)
          : `log      ${log.origin}\nlog id   ${log.identity.logId}\nsize     ${info.treeSize}\nroot     ${info.rootHash}\ncheckpoint:\n${info.signedTreeHead}`,
        o.out,
      );
    } finally {
      log.close();
    }
    return ExitCode.OK;
  },
};
