import { ListenError } from "../../tlog/embedded/listen-error.js";
import { serveLog } from "../../tlog/embedded/server.js";
import { PREHASHED_BACKEND } from "../../tlog/prehashed.js";
import { COMMON_OPTIONS, helpText, parseOptions, parseSmallInteger, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { DEFAULT_LOG_DIR, LOG_DIR_OPTION, openLogDir, refuseRenamedLogOption } from "../log-dir.js";

const NAME = "log serve";
const OPTIONS = {
  ...LOG_DIR_OPTION,
  host: { type: "string", value: "ADDR", description: "address to listen on (default 127.0.0.1)" },
  port: { type: "string", value: "N", description: "port (default 3000; 0 picks a free one)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

export const command: Command = {
  async run(argv) {
    refuseRenamedLogOption(NAME, argv);
    const { options: o, positionals } = parseOptions(NAME, argv, OPTIONS);
    if (o.help) {
      process.stdout.write(helpText(`reftrail ${NAME} [--log DIR] [--host ADDR] [--port N]`, "Serves an embedded log over the Rekor v1 REST API until interrupted.", OPTIONS));
      return ExitCode.OK;
    }
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    if (o.host === "") throw new UsageError("needs an address or host name (0.0.0.0 or :: for every interface)", "--host");
    const port = o.port === undefined ? 3000 : parseSmallInteger("--port", o.port, 65535);
    const log = openLogDir(o.log ?? DEFAULT_LOG_DIR);
    const host = o.host ?? "127.0.0.1";
    const server = await serveLog(log, host, port).catch((err: unknown) => {
      log.close();
      throw err instanceof ListenError ? err.about(err.culprit === "port" ? `--port ${port}` : `--host ${host}`) : err;
    });
    const ready = { url: server.url, origin: log.origin, logId: log.identity.logId, signatureBackend: PREHASHED_BACKEND };
    process.stdout.write(o.json ? JSON.stringify(ready) + "\n" : `serving ${log.origin} at ${server.url} (Rekor v1 API; digest signatures via ${PREHASHED_BACKEND})\n`);
    await new Promise<void>((resolve) => {
      let closing = false;
      // The first interrupt drains (see LogServer.close); a second one ends every connection now.
      const stop = () => {
        if (closing) return server.closeNow();
        closing = true;
        void server.close().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    // Every request is answered or cut off, so no commit can start any more: the database closes cleanly.
    log.close();
    return ExitCode.OK;
  },
};
