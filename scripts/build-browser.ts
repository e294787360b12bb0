/**
 * Bundles the web viewer's verifier (src/audit/browser/index.ts: reftrail's own tlog and signature
 * checks on WebCrypto) into one ES module for browsers, dist/audit/browser/verify.js, which the
 * generated pages import. Run by `npm run build`. Fails when anything in it would import a node:
 * module (a browser has none): the verification code must stay free of them.
 */
import { build, type Metafile, type Plugin } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const BROWSER_BUNDLE = "dist/audit/browser/verify.js";

/** The modules a bundle would import from node: (empty when it is fit for a browser). */
export function nodeImports(metafile: Metafile): string[] {
  return Object.values(metafile.outputs).flatMap((o) => o.imports.filter((i) => i.path.startsWith("node:") || i.external).map((i) => i.path));
}

/**
 * zod's namespace re-exports every translation of its messages (z.locales), which no bundler can
 * drop; reftrail's messages are English (zod registers `en` itself), so the others stay out: a
 * third of the bundle.
 */
const englishOnlyZod: Plugin = {
  name: "english-only-zod",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) => (/[\\/]zod[\\/]/.test(args.importer) ? { path: "zod-locales", namespace: "english-only-zod" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "english-only-zod" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

/** The bundle's bytes; throws naming every node: import that would remain. */
export async function bundleBrowserVerifier(): Promise<Uint8Array> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ["src/audit/browser/index.ts"],
    outfile: BROWSER_BUNDLE,
    bundle: true,
    platform: "browser",
    target: ["es2022"],
    format: "esm",
    minify: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    legalComments: "eof",
    charset: "utf8",
    // Resolved only to be reported: a browser build would otherwise stop at the first one with a terse message.
    external: ["node:*"],
    plugins: [englishOnlyZod],
  });
  const remaining = nodeImports(result.metafile);
  if (remaining.length) throw new Error(`the browser bundle would import ${[...new Set(remaining)].join(", ")}: keep node: modules out of src/audit/browser's imports`);
  const [file] = result.outputFiles;
  if (file === undefined) throw new Error("esbuild wrote nothing for the browser bundle");
  return file.contents;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await bundleBrowserVerifier();
  const out = join(ROOT, BROWSER_BUNDLE);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  process.stdout.write(`build-browser: ${BROWSER_BUNDLE} (${(bytes.byteLength / 1024).toFixed(1)} KiB)\n`);
}
