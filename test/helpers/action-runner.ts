import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "./fixtures.js";

/**
 * Runs a committed Action bundle the way a GitHub runner does (docs.github.com "Metadata syntax for
 * GitHub Actions", "Workflow commands", "Variables"): a fresh process with only the runner's variables,
 * INPUT_<NAME> for every input (action.yml's default where the step gives none), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, the event payload in GITHUB_EVENT_PATH, RUNNER_TEMP.
 */

export interface ActionYml {
  readonly inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  readonly outputs: Record<string, { description: string }>;
  readonly runs: { using: string; main: string };
}

export function actionYml(action: string): ActionYml {
  return parse(readFileSync(join(ROOT, "actions", action, "action.yml"), "utf8")) as ActionYml;
}

export interface ActionRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
  /** `::error::` lines (the message of a failed run). */
  readonly errors: string[];
  readonly warnings: string[];
  /** Values registered with `::add-mask::`. */
  readonly masks: string[];
  readonly temp: string;
}

export interface RunOptions {
  readonly inputs: Record<string, string>;
  readonly workspace: string;
  readonly repository: string;
  readonly apiUrl: string;
  readonly token: string;
  readonly event?: { name: string; payload: unknown };
  /** Further variables of the step (`env:`), e.g. the secrets mapped to key variables. */
  readonly env?: Record<string, string>;
  /** A command the Action's `node` runs under, e.g. `/usr/bin/time -f %M -o FILE` (benchmarks). */
  readonly wrapper?: readonly string[];
  /** Kill the process (SIGKILL, as a lost runner) as soon as this returns true; polled every 20 ms. */
  readonly killWhen?: () => boolean;
}

/** GITHUB_OUTPUT's format as @actions/core writes it: `name<<DELIMITER`, the value, the delimiter. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const end = lines.indexOf(m[2]!, i + 1);
    outputs[m[1]!] = lines.slice(i + 1, end).join("\n");
    i = end;
  }
  return outputs;
}

const commandLines = (stdout: string, command: string) =>
  stdout
    .split("\n")
    .filter((l) => l.startsWith(`::${command}`))
    .map((l) => l.slice(l.indexOf("::", 2) + 2).replace(/%0A/g, "\n").replace(/%0D/g, "\r").replace(/%25/g, "%"));

export async function runAction(action: string, options: RunOptions): Promise<ActionRun> {
  const yml = actionYml(action);
  const temp = mkdtempSync(join(tmpdir(), `reftrail-runner-${action}-`));
  const runnerTemp = join(temp, "_temp");
  mkdirSync(runnerTemp);
  const outputFile = join(runnerTemp, "output");
  const summaryFile = join(runnerTemp, "summary");
  writeFileSync(outputFile, "");
  writeFileSync(summaryFile, "");
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    HOME: temp,
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_REPOSITORY: options.repository,
    GITHUB_REPOSITORY_OWNER: options.repository.split("/")[0]!,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_API_URL: options.apiUrl,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_RUN_ID: "1",
    RUNNER_TEMP: runnerTemp,
    RUNNER_OS: "Linux",
    ...options.env,
  };
  if (options.event) {
    const eventPath = join(runnerTemp, "event.json");
    writeFileSync(eventPath, JSON.stringify(options.event.payload));
    env["GITHUB_EVENT_PATH"] = eventPath;
    env["GITHUB_EVENT_NAME"] = options.event.name;
  }
  for (const [name, spec] of Object.entries(yml.inputs)) {
    const given = options.inputs[name];
    const value = given ?? (spec.default === "${{ github.token }}" ? options.token : (spec.default ?? ""));
    env[`INPUT_${name.replace(/ /g, "_").toUpperCase()}`] = value;
  }
  for (const name of Object.keys(options.inputs)) if (!(name in yml.inputs)) throw new Error(`action.yml of ${action} has no input '${name}'`);
  const argv = [...(options.wrapper ?? []), process.execPath, join(ROOT, "actions", action, yml.runs.main)];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: options.workspace, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = options.killWhen
    ? setInterval(() => {
        if (options.killWhen!()) child.kill("SIGKILL");
      }, 20)
    : undefined;
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("close", (c, s) => resolve([c, s])));
  if (timer) clearInterval(timer);
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: existsSync(outputFile) ? parseOutputFile(readFileSync(outputFile, "utf8")) : {},
    summary: readFileSync(summaryFile, "utf8"),
    errors: commandLines(stdout, "error"),
    warnings: commandLines(stdout, "warning"),
    masks: commandLines(stdout, "add-mask"),
    temp: runnerTemp,
  };
}
