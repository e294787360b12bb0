import { logInput, type LogInput } from "../common/log-input.js";
import { ActionError } from "../common/errors.js";
import { booleanInput, input, integerInput, requiredInput, workspacePath, type RunContext } from "../common/runner.js";
import { repositoryFolder } from "../endorse/inputs.js";

/** action.yml's defaults; a test holds them equal to the file. */
export const MONITOR_DEFAULTS = {
  "reference-values-dir": "reference-values",
  "rekor-url": "https://rekor.sigstore.dev",
  "state-branch": "reftrail-monitor",
  labels: "reftrail-monitor",
  "fail-on-problem": "false",
  "max-issues": "10",
  timeout: "30",
  retries: "3",
} as const;

/** Where the state lives between runs: a file on a branch of the repository, or a file the workflow passes in and out. */
export type StateLocation = { readonly kind: "branch"; readonly branch: string; readonly path: string } | { readonly kind: "file"; readonly path: string };

export interface MonitorInputs {
  readonly keyRegistry: string;
  readonly referenceValuesDir: string;
  readonly log: LogInput;
  readonly state: StateLocation;
  readonly labels: readonly string[];
  readonly failOnProblem: boolean;
  /** Issues opened at most per run; further problems wait for the next run. */
  readonly maxIssues: number;
  readonly token: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** The state file on the state branch. */
export const STATE_PATH = "reftrail-monitor/state.json";

function branchName(value: string): string {
  // git check-ref-format's rules that matter for a name typed in a workflow.
  if (!/^[A-Za-z0-9._/-]+$/.test(value) || value.startsWith("/") || value.endsWith("/") || value.endsWith(".lock") || value.includes("..") || value.includes("//") || value.startsWith("-")) {
    throw new ActionError("INPUT", `'${value}' is not a branch name`, "input 'state-branch'");
  }
  return value;
}

export function monitorInputs(context: RunContext): MonitorInputs {
  const stateFile = input("state-file");
  const labels = input("labels", MONITOR_DEFAULTS.labels)
    .split(",")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (labels.length === 0) throw new ActionError("INPUT", "must name at least one label: the monitor finds its earlier issues by it", "input 'labels'");
  return {
    keyRegistry: workspacePath(context, requiredInput("key-registry")),
    referenceValuesDir: repositoryFolder("reference-values-dir", input("reference-values-dir", MONITOR_DEFAULTS["reference-values-dir"])),
    log: logInput(context, MONITOR_DEFAULTS["rekor-url"]),
    state: stateFile !== "" ? { kind: "file", path: workspacePath(context, stateFile) } : { kind: "branch", branch: branchName(input("state-branch", MONITOR_DEFAULTS["state-branch"])), path: STATE_PATH },
    labels,
    failOnProblem: booleanInput("fail-on-problem", false),
    maxIssues: integerInput("max-issues", 10, 1, 1000),
    token: requiredInput("github-token"),
    timeoutMs: integerInput("timeout", 30, 1, 3600) * 1000,
    retries: integerInput("retries", 3, 0, 20),
  };
}
