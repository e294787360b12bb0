import type { LoggedEndorsement } from "../../tlog/logged-endorsement.js";
import type { EndorsementPolicy } from "./policy.js";
import { verifyEndorsement, type EndorsementVerdict } from "./verifier.js";

/** One file of a published component folder that carries a log entry (logentry.json, the bundle). */
export interface PublishedEndorsement {
  readonly file: string;
  readonly logged: LoggedEndorsement;
}

export interface PublishedFileVerdict {
  readonly file: string;
  readonly verified: boolean;
  readonly failure?: EndorsementVerdict["failure"];
}

/**
 * The verdict on a published folder: an endorsement verdict (the first failing file's, else the
 * first file's), with the failing file named and every file's own outcome listed.
 */
export interface PublishedVerdict extends EndorsementVerdict {
  readonly failure?: NonNullable<EndorsementVerdict["failure"]> & { readonly file: string };
  readonly files: readonly PublishedFileVerdict[];
}

/**
 * Verifies every file of a folder that carries the log entry, each on its own. A folder is as good
 * as its worst file: Sigstore tooling reads the bundle and Oak reads logentry.json, so a bundle
 * that does not verify must fail the folder even when logentry.json verifies (and vice versa).
 */
export function verifyPublished(files: readonly PublishedEndorsement[], policy: EndorsementPolicy): PublishedVerdict {
  if (files.length === 0) throw new Error("a published folder has at least one log-entry file");
  const verdicts = files.map(({ file, logged }) => ({ file, verdict: verifyEndorsement(logged, policy) }));
  const failed = verdicts.find((v) => !v.verdict.verified);
  const { file, verdict } = failed ?? verdicts[0]!;
  const { verified, failure, ...rest } = verdict;
  return {
    verified,
    ...(failure ? { failure: { ...failure, message: `${file}: ${failure.message}`, file } } : {}),
    ...rest,
    files: verdicts.map((v) => ({ file: v.file, verified: v.verdict.verified, ...(v.verdict.failure ? { failure: v.verdict.failure } : {}) })),
  };
}
