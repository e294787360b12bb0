import { logInput, type LogInput } from "../common/log-input.js";
import { ActionError } from "../common/errors.js";
import { booleanInput, input, integerInput, requiredInput, workspacePath, type RunContext } from "../common/runner.js";

/** action.yml's defaults; a test holds them equal to the file. */
export const ENDORSE_DEFAULTS = {
  "key-env-prefix": "REFTRAIL_KEY_",
  "rekor-url": "https://rekor.sigstore.dev",
  "pull-request": "true",
  "dry-run": "false",
  "reference-values-dir": "reference-values",
  "valid-days": "365",
  timeout: "30",
  retries: "3",
} as const;

export interface EndorseInputs {
  readonly manifest: string;
  readonly tag: string;
  readonly keyEnvPrefix: string;
  /** Where the endorsements are logged: an embedded log folder, else a Rekor server. */
  readonly log: LogInput;
  readonly keyRegistry?: string;
  readonly pullRequest: boolean;
  readonly dryRun: boolean;
  readonly referenceValuesDir: string;
  readonly validDays: number;
  readonly token: string;
  readonly timeoutMs: number;
  readonly retries: number;
}

/** The tag of the release the triggering event is about (`release` events), if any. */
function eventTag(context: RunContext): string | undefined {
  const release = context.event?.["release"];
  if (typeof release !== "object" || release === null) return undefined;
  const tag = (release as Record<string, unknown>)["tag_name"];
  return typeof tag === "string" && tag !== "" ? tag : undefined;
}

export function endorseInputs(context: RunContext): EndorseInputs {
  // `${{ github.ref }}` on a tag push is refs/tags/TAG: take the tag.
  const tag = input("tag").replace(/^refs\/tags\//, "") || eventTag(context);
  if (tag === undefined) throw new ActionError("INPUT", "is required when the workflow is not triggered by a release event", "input 'tag'");
  // The tag names the reference-values file and a branch: refuse what cannot be either.
  if (!/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/.test(tag) || tag.length > 200) throw new ActionError("INPUT", `'${tag}' is not a tag reftrail can name files after (letters, digits, . _ + ~ -)`, "input 'tag'");
  const prefix = input("key-env-prefix", ENDORSE_DEFAULTS["key-env-prefix"]);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(prefix)) throw new ActionError("INPUT", "must be an environment variable name prefix (letters, digits, _)", "input 'key-env-prefix'");
  const keyRegistry = input("key-registry");
  return {
    manifest: workspacePath(context, requiredInput("manifest")),
    tag,
    keyEnvPrefix: prefix,
    log: logInput(context, ENDORSE_DEFAULTS["rekor-url"]),
    ...(keyRegistry !== "" ? { keyRegistry: workspacePath(context, keyRegistry) } : {}),
    pullRequest: booleanInput("pull-request", true),
    dryRun: booleanInput("dry-run", false),
    referenceValuesDir: repositoryFolder("reference-values-dir", input("reference-values-dir", ENDORSE_DEFAULTS["reference-values-dir"])),
    validDays: integerInput("valid-days", 365, 1, 100 * 366),
    token: requiredInput("github-token"),
    timeoutMs: integerInput("timeout", 30, 1, 3600) * 1000,
    retries: integerInput("retries", 3, 0, 20),
  };
}

/** A folder of the repository, as the contents API names it: relative, no `.` or `..` segments. */
export function repositoryFolder(name: string, value: string): string {
  const trimmed = value.replace(/^\.\/+/, "").replace(/\/+$/, "");
  const segments = trimmed.split("/");
  if (trimmed === "" || segments.some((s) => s === "" || s === "." || s === ".." || !/^[A-Za-z0-9._+~-]+$/.test(s))) {
    throw new ActionError("INPUT", `'${value}' is not a folder of the repository (a relative path without . or .. segments)`, `input '${name}'`);
  }
  return trimmed;
}
