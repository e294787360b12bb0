import type { ReferenceValues } from "../schema/reference-values.js";
import { referenceValuesDigest, type EndorsementVerdict } from "./endorsement/verifier.js";

/** One folder of a published release, as `verify release` found it. */
export interface ReleaseFolder {
  readonly folder: string;
  readonly verdict?: EndorsementVerdict;
  /** The folder could not be read as an endorsement (missing or malformed files). */
  readonly error?: { readonly code: string; readonly message: string };
}

export type ReleaseCheck = "RELEASE_FOLDER" | "RELEASE_MIXED" | "RELEASE_FOREIGN" | "RELEASE_DUPLICATE" | "RELEASE_INCOMPLETE" | "RELEASE_EXTRA" | "RELEASE_VALUES";

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
