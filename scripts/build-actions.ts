/**
 * Bundles each GitHub Action (actions/src/NAME/index.ts) into the one file its action.yml runs,
 * actions/NAME/dist/index.js, committed: a runner executes an Action from the repository as it is,
 * with no install step. test/actions/bundle.test.ts fails when a committed bundle differs from a
 * fresh one. `npm run actions` rewrites them.
 */
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Every folder of actions/ with an action.yml is an Action, built from actions/src/NAME/index.ts. */
export const ACTIONS: readonly string[] = readdirSync(join(ROOT, "actions")).filter((name) => existsSync(join(ROOT, "actions", name, "action.yml"))).sort();

export const bundlePath = (action: string) => join(ROOT, "actions", action, "dist", "index.js");

/** The bundle of one Action, deterministic for a given esbuild version and source tree. */
export async function bundleAction(action: string): Promise<Uint8Array> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [`actions/src/${action}/index.ts`],
    outfile: `actions/${action}/dist/index.js`,
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    write: false,
    logLevel: "silent",
    legalComments: "eof",
    charset: "utf8",
    // The CommonJS packages @actions/* depend on call require(); an ES module has none of its own.
    banner: { js: 'import { createRequire as reftrailCreateRequire } from "node:module";\nconst require = reftrailCreateRequire(import.meta.url);' },
  });
  const [file] = result.outputFiles;
  if (file === undefined) throw new Error(`esbuild wrote nothing for ${action}`);
  return file.contents;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv.slice(2);
  for (const action of ACTIONS.filter((a) => only.length === 0 || only.includes(a))) {
    const bytes = await bundleAction(action);
    mkdirSync(dirname(bundlePath(action)), { recursive: true });
    writeFileSync(bundlePath(action), bytes);
    process.stdout.write(`actions/${action}/dist/index.js: ${(bytes.byteLength / 1024).toFixed(0)} KiB\n`);
  }
}
