import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/fixtures.js";

/**
 * Data flows one way through src/: a stage may import itself and any stage before it, never one
 * after it, and nothing imports the CLI. The order is that of the existing code:
 *
 * - util: bytes, files, errors; no stage.
 * - schema: every file format and the vocabulary they are written in; imports no stage.
 * - keys: component keys, the statement signature, the key registry.
 * - measure: launch digests and kernel measurements.
 * - tlog: transparency logs (Merkle proofs, checkpoints, entries, the embedded log, the client).
 *   It comes before endorse because publishing an endorsement (endorse/publish.ts) uses the log.
 * - endorse: statements, signing, component folders, publishing.
 * - verify: the verifiers (endorsements, releases, SEV-SNP reports).
 * - audit: watching logs (not written yet).
 * - cli: argument parsing and printing; imports anything, imported by nothing.
 *
 * src/version.ts sits with util.
 */
const ORDER = ["util", "schema", "keys", "measure", "tlog", "endorse", "verify", "audit", "cli"] as const;

const SRC = join(ROOT, "src");

/** The stage of a file under src/ (a path relative to src/). */
function stageOf(path: string): string {
  const [first, ...rest] = path.split("/");
  return rest.length === 0 ? "util" : first!;
}

/** Every module specifier a TypeScript source names: static imports, re-exports, dynamic imports. */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gms)) found.push(m[1]!);
  for (const m of text.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) found.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.push(m[1]!);
  return found;
}

interface Violation {
  readonly file: string;
  readonly imports: string;
  readonly rule: string;
}

/** What breaks the rules among `files` (path relative to src/ → source text). */
function violations(files: ReadonlyMap<string, string>): Violation[] {
  const found: Violation[] = [];
  for (const [file, text] of files) {
    const from = stageOf(file);
    const rank = ORDER.indexOf(from as (typeof ORDER)[number]);
    if (rank < 0) {
      found.push({ file, imports: "", rule: `'${from}' is not a stage in the order ${ORDER.join(" < ")}` });
      continue;
    }
    for (const spec of specifiers(text)) {
      if (!spec.startsWith(".")) continue;
      const target = normalize(join(dirname(file), spec));
      if (target.startsWith("..")) {
        found.push({ file, imports: spec, rule: "imports from outside src/" });
        continue;
      }
      const to = stageOf(target);
      if (to === "cli" && from !== "cli") found.push({ file, imports: spec, rule: "nothing imports cli" });
      else if (from === "schema" && to !== "schema" && to !== "util") found.push({ file, imports: spec, rule: "schema imports no stage" });
      else if (ORDER.indexOf(to as (typeof ORDER)[number]) > rank) found.push({ file, imports: spec, rule: `${from} comes before ${to}` });
    }
  }
  return found;
}

const ACTIONS_SRC = join(ROOT, "actions/src");

/**
 * The GitHub Actions (actions/src/) sit at the edge, after every stage: they may import any stage of
 * src/ but cli (the Actions are not a wrapper around the command line), and nothing in src/ imports them.
 */
function actionViolations(files: ReadonlyMap<string, string>): Violation[] {
  const found: Violation[] = [];
  for (const [file, text] of files) {
    for (const spec of specifiers(text)) {
      if (!spec.startsWith(".")) continue;
      const target = normalize(join("actions/src", dirname(file), spec));
      if (target.startsWith("actions/src/")) continue;
      if (!target.startsWith("src/")) found.push({ file, imports: spec, rule: "imports from outside actions/src/ and src/" });
      else if (stageOf(target.slice("src/".length)) === "cli") found.push({ file, imports: spec, rule: "nothing imports cli" });
    }
  }
  return found;
}

function sources(dir: string, base = SRC): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(base, path), readFileSync(path, "utf8"));
  }
  return files;
}

describe("architecture", () => {
  const files = sources(SRC);

  it("reads every source file and finds its imports", () => {
    expect(files.size).toBeGreaterThan(100);
    expect(specifiers(files.get("cli/main.ts")!).length).toBeGreaterThan(0);
    // A command module is loaded by a dynamic import; the rule covers those too.
    expect(specifiers(files.get("cli/command.ts")!).some((s) => s.startsWith("./commands/"))).toBe(true);
  });

  it("no stage imports a later one, nothing imports cli, schema imports no stage", () => {
    expect(violations(files)).toEqual([]);
  });

  it("catches each kind of bad import", () => {
    const bad = new Map([
      ["measure/x.ts", 'import { verifyReport } from "../verify/snp/verifier.js";'],
      ["endorse/y.ts", 'export { verifyEndorsement } from "../verify/endorsement/verifier.js";'],
      ["verify/z.ts", 'import type { Command } from "../cli/command.js";'],
      ["schema/w.ts", 'import {\n  measureLaunch,\n} from "../measure/launch.js";'],
      ["tlog/v.ts", 'const m = await import("../endorse/publish.js");'],
      ["keys/u.ts", 'import "../../test/helpers/fixtures.js";'],
      ["util/ok.ts", 'import { z } from "zod";\nimport { bytesEqual } from "./bytes.js";'],
      ["cli/ok.ts", 'import { verifyReport } from "../verify/snp/verifier.js";'],
    ]);
    expect(violations(bad).map((v) => [v.file, v.rule])).toEqual([
      ["measure/x.ts", "measure comes before verify"],
      ["endorse/y.ts", "endorse comes before verify"],
      ["verify/z.ts", "nothing imports cli"],
      ["schema/w.ts", "schema imports no stage"],
      ["tlog/v.ts", "tlog comes before endorse"],
      ["keys/u.ts", "imports from outside src/"],
    ]);
  });

  it("the Actions import any stage but cli, and only from src/", () => {
    const actions = sources(ACTIONS_SRC, ACTIONS_SRC);
    expect(actions.size).toBeGreaterThan(5);
    expect(actionViolations(actions)).toEqual([]);
    const bad = new Map([
      ["endorse/x.ts", 'import { run } from "../../../src/cli/run.js";'],
      ["endorse/y.ts", 'import { ROOT } from "../../../test/helpers/fixtures.js";'],
      ["endorse/ok.ts", 'import { measureRelease } from "../../../src/measure/release.js";\nimport { runContext } from "../common/runner.js";\nimport * as core from "@actions/core";'],
    ]);
    expect(actionViolations(bad).map((v) => [v.file, v.rule])).toEqual([
      ["endorse/x.ts", "nothing imports cli"],
      ["endorse/y.ts", "imports from outside actions/src/ and src/"],
    ]);
  });
});
