#!/usr/bin/env node
import * as nodeModule from "node:module";

// Cache compiled bytecode between runs: start-up is most of a single measurement's cost.
// (Namespace import: Node releases before 22.1 lack the export, and must still start.)
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const { main } = await import("./run.js");
process.exitCode = await main(process.argv.slice(2));
