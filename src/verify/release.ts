import { join } from "node:path";
import type { ReferenceValues } from "../schema/reference-values.js";
import { checkResult, verdictOf, type CheckResult, type Verdict } from "../schema/verdict.js";
import { ReftrailError } from "../util/errors.js";
import type { EndorsementPolicy } from "./endorsement/policy.js";
import { verifyPublished } from "./endorsement/published.js";
import { referenceValuesDigest, type EndorsementVerdict } from "./endorsement/verifier.js";
import { loggedFromFolder } from "./load/logged.js";
import type { FoundFolder, SkippedEntry } from "./load/release-folders.js";

/** One folder of a published release, as `verify release` found it. */
export interface ReleaseFolder {
  readonly folder: string;
  readonly verdict?: EndorsementVerdict;
  /** The folder could not be read as an endorsement (missing or malformed files). */
  readonly error?: { readonly code: string; readonly message: string };
}

/** What makes individually valid endorsements one release (see releaseProblems), by check name. */
export const RELEASE_CHECKS = {
  RELEASE_FOLDER: "each reftrail endorsement sits in the folder named after its component",
  RELEASE_MIXED: "the endorsements name one release (the expected one, when given)",
  RELEASE_FOREIGN: "no endorsement without reftrail's reference values among reftrail ones",
  RELEASE_DUPLICATE: "no component is endorsed twice",
  RELEASE_INCOMPLETE: "every component of the expected reference values is endorsed",
  RELEASE_EXTRA: "no component outside the expected reference values is endorsed",
  RELEASE_VALUES: "each component is endorsed with exactly its expected reference values",
} as const;

export type ReleaseCheck = keyof typeof RELEASE_CHECKS;

/** The checks that compare with the expected reference values, skipped without them. */
const NEED_EXPECTED: readonly ReleaseCheck[] = ["RELEASE_INCOMPLETE", "RELEASE_EXTRA", "RELEASE_VALUES"];

export interface ReleaseProblem {
  readonly check: ReleaseCheck;
  /** The folder concerned, or undefined for the release as a whole. */
  readonly folder?: string;
  readonly message: string;
}

/**
 * What makes a set of individually valid endorsements a release: each reftrail endorsement sits in
 * the folder named after its component, all name the same release, no endorsement without reftrail's
 * reference values sits among reftrail ones, no component appears twice, and, when the expected
 * reference values are given, exactly their components are endorsed, each with exactly those values.
 * Without these checks a folder could hold an older release's (still valid) endorsement, another
 * component's, one that names no release at all, or none. A release made only of Oak endorsements
 * names no release, so only the component checks apply to it.
 */
export function releaseProblems(folders: readonly ReleaseFolder[], expected?: ReferenceValues): ReleaseProblem[] {
  const problems: ReleaseProblem[] = [];
  const seen = new Map<string, string>();
  const releases = new Set<string>();
  for (const { folder, verdict } of folders) {
    const e = verdict?.verified ? verdict.endorsement : undefined;
    if (e === undefined) continue;
    const own = e.reftrail;
    if (own !== undefined) {
      if (own.component !== folder) problems.push({ check: "RELEASE_FOLDER", folder, message: `holds the endorsement of '${own.component}'` });
      releases.add(`${own.release.name} ${own.release.version}`);
    }
    const first = seen.get(e.component);
    if (first !== undefined) problems.push({ check: "RELEASE_DUPLICATE", folder, message: `endorses '${e.component}' again (also in ${first})` });
    else seen.set(e.component, folder);
  }
  if (releases.size > 1) problems.push({ check: "RELEASE_MIXED", message: `the endorsements name ${releases.size} releases: ${[...releases].sort().join(", ")}` });
  if (releases.size > 0) {
    for (const { folder, verdict } of folders) {
      const e = verdict?.verified ? verdict.endorsement : undefined;
      if (e !== undefined && e.reftrail === undefined) {
        problems.push({ check: "RELEASE_FOREIGN", folder, message: `holds an endorsement of '${e.component}' without reftrail's reference values (predicate.reftrail): it belongs to no release` });
      }
    }
  }
  if (expected !== undefined) {
    const want = `${expected.release.name} ${expected.release.version}`;
    if (releases.size === 1 && !releases.has(want)) problems.push({ check: "RELEASE_MIXED", message: `the endorsements are of ${[...releases][0]}, not ${want}` });
    for (const component of expected.components) {
      const folder = seen.get(component.name);
      if (folder === undefined) {
        problems.push({ check: "RELEASE_INCOMPLETE", message: `no verified endorsement of '${component.name}'` });
        continue;
      }
      const endorsed = folders.find((f) => f.folder === folder)!.verdict!.endorsement!.reftrail;
      if (endorsed === undefined || endorsed.valuesSha256 !== referenceValuesDigest(component)) {
        problems.push({ check: "RELEASE_VALUES", folder, message: `endorses other reference values for '${component.name}' than the expected ones` });
      }
    }
    for (const [component, folder] of seen) {
      if (!expected.components.some((c) => c.name === component)) problems.push({ check: "RELEASE_EXTRA", folder, message: `'${component}' is not a component of ${want}` });
    }
  }
  return problems;
}

/**
 * The verdict on a published release: one check per component folder (its endorsement verifies)
 * and one per release check, verified only when all hold. `components`, `release` (the problems)
 * and `skipped` (the entries not looked at) give the detail.
 */
export interface ReleaseVerdict extends Verdict {
  readonly components: ReleaseFolder[];
  readonly release: ReleaseProblem[];
  readonly skipped: SkippedEntry[];
}

/** The check name of a component folder's row: COMPONENT_ and the folder name in upper snake case. */
export function componentCheck(folder: string): string {
  return `COMPONENT_${folder.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`;
}

function componentResult(row: ReleaseFolder): CheckResult {
  const check = componentCheck(row.folder);
  const description = `the endorsement in ${row.folder}/ verifies`;
  const v = row.verdict;
  if (v === undefined) return checkResult.failed(check, description, `${row.error!.code}: ${row.error!.message}`, undefined, row.folder);
  if (!v.verified) return checkResult.failed(check, description, `${v.failure!.check}: ${v.failure!.message}`, undefined, v.endorsement?.component ?? row.folder);
  return checkResult.passed(check, description, v.endorsement?.component, undefined, `log index ${v.logEntry?.logIndex}, valid until ${v.endorsement?.validity.notAfter}`);
}

function releaseResults(problems: readonly ReleaseProblem[], expected: ReferenceValues | undefined): CheckResult[] {
  return (Object.keys(RELEASE_CHECKS) as ReleaseCheck[]).map((check) => {
    const description = RELEASE_CHECKS[check];
    if (expected === undefined && NEED_EXPECTED.includes(check)) return checkResult.skipped(check, description, "no expected reference values were given");
    const found = problems.filter((p) => p.check === check);
    if (found.length === 0) return checkResult.passed(check, description);
    return checkResult.failed(check, description, found.map((p) => (p.folder === undefined ? p.message : `${p.folder}: ${p.message}`)).join("; "));
  });
}

/**
 * Verifies every component folder found in `root` (releaseFolders), each on its own with `policy`,
 * then that together they are one release (and, given `expected`, exactly its components and
 * values). A folder that cannot be read is a failed component, not a reason to stop: the verdict
 * covers the whole release.
 */
export function verifyRelease(root: string, folders: { readonly found: readonly FoundFolder[]; readonly skipped: readonly SkippedEntry[] }, policy: EndorsementPolicy, expected?: ReferenceValues): ReleaseVerdict {
  const components: ReleaseFolder[] = folders.found.map(({ folder, problem }) => {
    if (problem !== undefined) return { folder, error: { code: "FOLDER_INVALID", message: problem } };
    try {
      return { folder, verdict: verifyPublished(loggedFromFolder(join(root, folder)), policy) };
    } catch (err) {
      if (err instanceof ReftrailError) return { folder, error: { code: err.code, message: `${err.subject ? `${err.subject}: ` : ""}${err.message}` } };
      throw err;
    }
  });
  const release = releaseProblems(components, expected);
  const { verified, failures, checks } = verdictOf([...components.map(componentResult), ...releaseResults(release, expected)]);
  return { verified, failures, checks, components, release, skipped: [...folders.skipped] };
}
