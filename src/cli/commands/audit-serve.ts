import { existsSync } from "node:fs";
import { join } from "node:path";
import { listenSite } from "../../audit/site/serve.js";
import { ListenError } from "../../tlog/embedded/listen-error.js";
import { COMMON_OPTIONS, commandOptions, parseSmallInteger, requireOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";

const NAME = "audit serve";
const OPTIONS = {
  dir: { type: "string", value: "DIR", description: "the site `reftrail audit build-site --out DIR` wrote (required)" },
  host: { type: "string", value: "ADDR", description: "address to listen on (default 127.0.0.1: this machine only)" },
  port: { type: "string", value: "N", description: "port (default 8080; 0 picks a free one)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--dir DIR [--host ADDR] [--port N] [--json]",
    summary: "Serves a site built by `reftrail audit build-site` on this machine until interrupted: the same static files a web server would serve.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["dir"]);
  const dir = o.dir!;
  if (!existsSync(join(dir, "index.html"))) throw new UsageError("holds no site (no index.html): build one with reftrail audit build-site --out DIR", `--dir ${dir}`);
  if (o.host === "") throw new UsageError("needs an address or host name", "--host");
  const host = o.host ?? "127.0.0.1";
  const port = o.port === undefined ? 8080 : parseSmallInteger("--port", o.port, 65535);
  const { url, server } = await listenSite(dir, host, port).catch((err: unknown) => {
    throw err instanceof ListenError ? err.about(err.culprit === "port" ? `--port ${port}` : `--host ${host}`) : err;
  });
  process.stdout.write(o.json ? `${JSON.stringify({ url, dir })}\n` : `serving ${dir} at ${url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  return ExitCode.OK;
}

export const command: Command = { run };
