import type { ReferenceValuesLookup } from "../../../src/audit/monitor/released.js";
import { parseDocument } from "../../../src/schema/parse.js";
import { ReferenceValues } from "../../../src/schema/reference-values.js";
import { readRepositoryFile } from "../common/contents.js";
import type { GitHub } from "../common/github.js";
import type { RunContext } from "../common/runner.js";

/** A version the endorse Action could have named a file after (its tag rule); anything else has no document. */
const FILE_SAFE_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

/**
 * The reference-values documents of the repository, `<dir>/<version>.json`, as committed on the
 * default branch, else as the endorse Action proposed it on its pull request's branch
 * (`reftrail/reference-values/<version>`) while that is not merged: a release is endorsed, logged and
 * proposed in one job, and the monitor must not call it rogue until someone merges the proposal.
 * Each version is read once per run; a document that does not parse fails the run, naming it.
 */
export function repositoryReferenceValues(github: GitHub, context: RunContext, dir: string, branch: string): ReferenceValuesLookup & { readonly read: Map<string, string> } {
  const cache = new Map<string, Promise<ReferenceValues | undefined>>();
  /** Version -> where its document was read from, for the summary. */
  const read = new Map<string, string>();
  const lookup = (version: string): Promise<ReferenceValues | undefined> => {
    if (!FILE_SAFE_VERSION.test(version) || version.length > 200) return Promise.resolve(undefined);
    let pending = cache.get(version);
    if (pending === undefined) {
      pending = (async () => {
        const path = `${dir}/${version}.json`;
        for (const ref of [branch, `reftrail/reference-values/${version}`]) {
          const file = await readRepositoryFile(github, context, path, ref);
          if (file === undefined) continue;
          read.set(version, `${path} at ${ref}`);
          return parseDocument(ReferenceValues, file.bytes.toString("utf8"), `${path} at ${ref}`);
        }
        return undefined;
      })();
      cache.set(version, pending);
    }
    return pending;
  };
  return Object.assign(lookup, { read });
}
