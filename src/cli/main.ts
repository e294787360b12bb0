#!/usr/bin/env node
import * as nodeModule from "node:module";

// Cache compiled bytecode between runs: start-up is most of a single measurement's cost.
// (Namespace import: Node releases before 22.1 lack the export, and must still start.)
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// A reader that stops early (`| head`) closes the pipe: end quietly, as command-line tools do.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  process.stderr.write(`reftrail: error: cannot write to stdout (${err.code ?? err.message})\n`);
  process.exit(2);
});
// Last line of defence for failures outside a command's own error handling: one line, exit 2.
process.on("uncaughtException", (err) => {
  process.stderr.write(`reftrail: error: internal error: ${String(err.message).split("\n")[0]}\n`);
  process.exit(2);
});
const { main } = await import("./run.js");
process.exitCode = await main(process.argv.slice(2));
