import * as core from "@actions/core";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { ReftrailError } from "../../../src/util/errors.js";
import { printable } from "../../../src/util/printable.js";
import { ActionError } from "./errors.js";

/**
 * The runner protocol (docs.github.com "Metadata syntax" and "Workflow commands"), through
 * @actions/core: inputs arrive as INPUT_<NAME> (filled with action.yml's defaults by the runner),
 * outputs and the job summary go to the files GITHUB_OUTPUT and GITHUB_STEP_SUMMARY name.
 */

/** An input as given, trimmed; `fallback` when empty (action.yml's default, for a runner that gave none). */
export function input(name: string, fallback = ""): string {
  const value = core.getInput(name);
  return value === "" ? fallback : value;
}

export function requiredInput(name: string): string {
  const value = core.getInput(name);
  if (value === "") throw new ActionError("INPUT", "is required", `input '${name}'`);
  return value;
}

/** YAML 1.2 core booleans, as the runner documents them; anything else is refused naming the input. */
export function booleanInput(name: string, fallback: boolean): boolean {
  const value = core.getInput(name);
  if (value === "") return fallback;
  if (["true", "True", "TRUE"].includes(value)) return true;
  if (["false", "False", "FALSE"].includes(value)) return false;
  throw new ActionError("INPUT", `'${printable(value)}' is not a boolean (true or false)`, `input '${name}'`);
}

export function integerInput(name: string, fallback: number, min: number, max: number): number {
  const value = core.getInput(name);
  if (value === "") return fallback;
  if (!/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) throw new ActionError("INPUT", `'${printable(value)}' is not a whole number from ${min} to ${max}`, `input '${name}'`);
  return Number(value);
}

/** The repository the workflow runs in. */
export interface RunContext {
  readonly owner: string;
  readonly repo: string;
  /** GITHUB_WORKSPACE: the checked-out repository; relative input paths resolve against it. */
  readonly workspace: string;
  /** RUNNER_TEMP: emptied by the runner after every job; the only place secrets-derived files may go. */
  readonly temp: string;
  /** GITHUB_SERVER_URL, for links. */
  readonly serverUrl: string;
  /** The triggering event's payload (GITHUB_EVENT_PATH), if any. */
  readonly event: Record<string, unknown> | undefined;
}

export function runContext(): RunContext {
  const repository = process.env["GITHUB_REPOSITORY"] ?? "";
  const match = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!match) throw new ActionError("RUNNER", "must be OWNER/REPO (the runner sets it)", "GITHUB_REPOSITORY");
  const eventPath = process.env["GITHUB_EVENT_PATH"];
  let event: Record<string, unknown> | undefined;
  if (eventPath) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(eventPath, "utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) event = parsed as Record<string, unknown>;
    } catch {
      throw new ActionError("RUNNER", "is not a readable JSON event payload", `GITHUB_EVENT_PATH ${eventPath}`);
    }
  }
  return {
    owner: match[1]!,
    repo: match[2]!,
    workspace: process.env["GITHUB_WORKSPACE"] || process.cwd(),
    temp: process.env["RUNNER_TEMP"] || tmpdir(),
    serverUrl: (process.env["GITHUB_SERVER_URL"] || "https://github.com").replace(/\/+$/, ""),
    event,
  };
}

/** A path input: relative to the workspace, as workflow authors write them. */
export function workspacePath(context: RunContext, path: string): string {
  return isAbsolute(path) ? path : resolve(context.workspace, path);
}

/**
 * Runs an Action; every failure is one line (`::error::`), exit code 1, never a stack trace (set
 * REFTRAIL_DEBUG for it).
 */
export async function runAction(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const known = err instanceof ReftrailError;
    const message = known ? err.message : `internal error: ${err instanceof Error ? err.message : String(err)}`;
    const subject = known ? err.subject : undefined;
    core.setFailed(printable((subject ? `${subject}: ${message}` : message).replace(/\s*\n\s*/g, " ")));
    if (process.env["REFTRAIL_DEBUG"] && err instanceof Error && err.stack) core.debug(err.stack);
  }
}
