import { trustedRootFor } from "../../tlog/trusted-root.js";
import { OUTPUT_OPTIONS, commandOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { emit, json } from "../output.js";
import { DEFAULT_LOG_DIR, LOG_DIR_OPTION, refuseRenamedLogOption, withLogDir } from "../log-dir.js";

const NAME = "log trusted-root";
const OPTIONS = {
  ...LOG_DIR_OPTION,
  "base-url": { type: "string", value: "URL", description: "the URL the log is served at (default https://NAME); its host must be the log's name" },
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

export const command: Command = {
  async run(argv) {
    refuseRenamedLogOption(NAME, argv);
    const o = commandOptions(NAME, argv, OPTIONS, {
      usage: "[--log DIR] [--base-url URL] [--out FILE]",
      summary: "Writes a Sigstore trusted_root.json naming an embedded log, so that cosign (--trusted-root) and @sigstore/verify can check its bundles.",
    });
    if (o === undefined) return ExitCode.OK;
    const root = withLogDir(o.log ?? DEFAULT_LOG_DIR, (log) => {
      const baseUrl = o["base-url"] ?? `https://${log.name}`;
      let host: string;
      try {
        host = new URL(baseUrl).hostname;
      } catch {
        throw new UsageError(`'${baseUrl}' is not a URL`, "--base-url");
      }
      // Sigstore clients match checkpoint signatures by the log name appearing in the base URL.
      if (host !== log.name) throw new UsageError(`the host must be the log's name '${log.name}' (checkpoints are signed under it)`, "--base-url");
      return trustedRootFor(log.identity, baseUrl, 0n);
    });
    emit(json(root), o.out);
    return ExitCode.OK;
  },
};
