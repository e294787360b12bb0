import { join } from "node:path";
import { ENDORSEMENT_FILES } from "../../endorse/files.js";
import { InputError } from "../../util/errors.js";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import { ReftrailError } from "../../util/errors.js";
import { verifyPublished } from "../../verify/endorsement/published.js";
import { releaseProblems, type ReleaseFolder } from "../../verify/release.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { fileSubject, readTextInput } from "../input.js";
import { formatTable, json, notVerified, warn } from "../output.js";
import { TRUST_OPTIONS, keySource, policyFrom, trustedLogs } from "../verify-options.js";
import { loggedFromFolder } from "../../verify/load/logged.js";
import { releaseFolders } from "../../verify/load/release-folders.js";

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
  // A folder whose files cannot be read is a failed component, not a reason to stop: the report covers the release.
  const rows: ReleaseFolder[] = found.map(({ folder, problem }) => {
    if (problem !== undefined) return { folder, error: { code: "FOLDER_INVALID", message: problem } };
    try {
      return { folder, verdict: verifyPublished(loggedFromFolder(join(root, folder)), policy) };
    } catch (err) {
      if (err instanceof ReftrailError) return { folder, error: { code: err.code, message: `${err.subject ? `${err.subject}: ` : ""}${err.message}` } };
      throw err;
    }
  });
  const problems = releaseProblems(rows, expected);
  const ok = rows.every((r) => r.verdict?.verified) && problems.length === 0;
  if (o.json) process.stdout.write(json({ verified: ok, components: rows, release: problems, skipped }));
  else {
    const table = rows.map((r) => {
      const v = r.verdict;
      if (!v) return [r.folder, "", "ERROR", `${r.error!.code}: ${r.error!.message}`];
      return [r.folder, v.endorsement?.component ?? "", v.verified ? "VERIFIED" : "FAILED", v.verified ? `log index ${v.logEntry?.logIndex}, valid until ${v.endorsement?.validity.notAfter}` : `${v.failure!.check}: ${v.failure!.message}`];
    });
    const verified = rows.filter((r) => r.verdict?.verified).length;
    process.stdout.write(
      `${ok ? "VERIFIED" : "NOT VERIFIED"} ${root}: ${verified}/${rows.length} components${expected ? ` of ${expected.release.name} ${expected.release.version}` : ""}\n` +
        formatTable(["folder", "component", "verdict", "detail"], table) +
        (problems.length ? formatTable(["release check", "folder", "problem"], problems.map((p) => [p.check, p.folder ?? "", p.message])) : ""),
    );
  }
  if (!ok) {
    const failed = rows.filter((r) => !r.verdict?.verified).map((r) => r.folder);
    notVerified([...(failed.length ? [`components ${failed.join(", ")}`] : []), ...problems.map((p) => `${p.check}${p.folder ? ` (${p.folder})` : ""}`)].join("; "));
  } else if (expected === undefined) {
    warn("without --reference-values, which components the release must have was not checked");
  }
  if (skipped.length) warn(`skipped ${skipped.length} entr${skipped.length > 1 ? "ies" : "y"} of ${root}: ${skippedText}`);
  return ok ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
