import { helpText, parseOptions } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { emit, json, warn } from "../output.js";
import { executeLaunchDigest } from "../launch-digest/execute.js";
import { LAUNCH_DIGEST_NOTES, LAUNCH_DIGEST_OPTIONS } from "../launch-digest/options.js";
import { describeDigestCount, launchDigestReport, launchDigestText } from "../launch-digest/report.js";
import { launchDigestRequest } from "../launch-digest/request.js";

const NAME = "measure launch-digest";

export const command: Command = {
  async run(argv) {
    const { options, positionals } = parseOptions(NAME, argv, LAUNCH_DIGEST_OPTIONS);
    if (options.help) {
      process.stdout.write(
        helpText(`reftrail ${NAME} --mode MODE --ovmf PATH [options]`, "Computes the launch digest AMD hardware reports for a firmware and boot configuration.", LAUNCH_DIGEST_OPTIONS, LAUNCH_DIGEST_NOTES),
      );
      return ExitCode.OK;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (see 'reftrail ${NAME} --help')`);
    const request = launchDigestRequest(options);
    const outcome = await executeLaunchDigest(request);
    emit(options.json ? json(launchDigestReport(outcome)) : launchDigestText(outcome, options.verbose ?? false), options.out);
    if (!options.json) for (const w of outcome.warnings) warn(w);
    if (options.out !== undefined) process.stderr.write(`reftrail: wrote ${describeDigestCount(outcome)} to ${options.out}\n`);
    return ExitCode.OK;
  },
};
