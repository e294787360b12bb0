import { ENDORSEMENT_FILES } from "../../endorse/files.js";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import { InputError } from "../../util/errors.js";
import { releaseFolders } from "../../verify/load/release-folders.js";
import { verifyRelease } from "../../verify/release.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { fileSubject, readTextInput } from "../input.js";
import { json, notVerified, warn } from "../output.js";
import { releaseText } from "../verdict.js";
import { TRUST_OPTIONS, keySource, policyFrom, trustedLogs } from "../verify-options.js";

const NAME = "verify release";
const { component: _component, ...RELEASE_TRUST_OPTIONS } = TRUST_OPTIONS;
const OPTIONS = {
  endorsements: { type: "string", value: "DIR", description: "folder with one published folder per component (required)" },
  "reference-values": { type: "string", value: "FILE", description: "the release's expected reference values: exactly its components must be endorsed, with exactly these values" },
  ...RELEASE_TRUST_OPTIONS,
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

/** The release's component folders; a root that cannot be listed is a usage error, as for any folder option. */
function discover(root: string): ReturnType<typeof releaseFolders> {
  try {
    return releaseFolders(root, fileSubject("--endorsements", root));
  } catch (err) {
    if (err instanceof InputError && err.code === "FOLDER_NOT_READABLE") throw new UsageError(err.message, err.subject);
    throw err;
  }
}

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `--endorsements DIR [--reference-values FILE] (--key-registry FILE | --key FILE) (--rekor-key FILE [--rekor-name HOST] | --trusted-root FILE) [--claims URI,…] [--at TIME] [--allow-set-only] [--json]`,
    summary:
      "Verifies every component folder of a published release, each with the keys its component has in the registry, and that together they are one release: each reftrail endorsement in its component's folder, one release, no non-reftrail endorsement among reftrail ones, no component twice; with --reference-values, exactly its components and values. Exit 0 if all holds, 1 if not.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["endorsements"]);
  const root = o.endorsements!;
  const keys = keySource(o);
  const policy = policyFrom(o, keys, trustedLogs(o));
  const expected = o["reference-values"] === undefined ? undefined : parseDocument(ReferenceValues, readTextInput("--reference-values", o["reference-values"], 64 << 20), o["reference-values"]);
  const { found, skipped } = discover(root);
  const skippedText = skipped.map((e) => `${e.name} (${e.reason})`).join(", ");
  if (found.length === 0) throw new UsageError(`holds no component folder with ${ENDORSEMENT_FILES.statement}${skipped.length ? `; skipped ${skippedText}` : ""}`, `--endorsements ${root}`);
  const verdict = verifyRelease(root, { found, skipped }, policy, expected);
  process.stdout.write(o.json ? json(verdict) : releaseText(verdict, root, expected?.release));
  if (!verdict.verified) {
    const failed = verdict.components.filter((r) => !r.verdict?.verified).map((r) => r.folder);
    notVerified([...(failed.length ? [`components ${failed.join(", ")}`] : []), ...verdict.release.map((p) => `${p.check}${p.folder ? ` (${p.folder})` : ""}`)].join("; "));
  } else if (expected === undefined) {
    warn("without --reference-values, which components the release must have was not checked");
  }
  if (skipped.length) warn(`skipped ${skipped.length} entr${skipped.length > 1 ? "ies" : "y"} of ${root}: ${skippedText}`);
  return verdict.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
