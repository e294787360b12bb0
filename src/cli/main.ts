#!/usr/bin/env node
import { enableCompileCache } from "node:module";

// Cache compiled bytecode between runs: start-up time is most of a single measurement's cost.
enableCompileCache?.();
const { main } = await import("./run.js");
process.exitCode = await main(process.argv.slice(2));
