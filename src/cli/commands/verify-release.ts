import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENDORSEMENT_FILES } from "../../endorse/files.js";
import { ReftrailError } from "../../util/errors.js";
import { verifyEndorsement, type EndorsementVerdict } from "../../verify/endorsement/verifier.js";
import { COMMON_OPTIONS, commandOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { formatTable, json } from "../output.js";
import { TRUST_OPTIONS, evidenceFromDir, keySource, policyFrom, trustedLogs } from "../verify-options.js";

const NAME = "verify release";
const { component: _component, ...RELEASE_TRUST_OPTIONS } = TRUST_OPTIONS;
const OPTIONS = {
  endorsements: { type: "string", value: "DIR", description: "folder with one published folder per component (required)" },
  ...RELEASE_TRUST_OPTIONS,
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

interface Row {
  readonly folder: string;
  readonly verdict?: EndorsementVerdict;
  readonly error?: { readonly code: string; readonly message: string };
}

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `--endorsements DIR (--key-registry FILE | --key FILE) (--rekor-key FILE [--rekor-name HOST] | --trusted-root FILE) [--claims URI,…] [--at TIME] [--allow-set-only] [--json]`,
    summary: "Verifies every component folder of a published release, each with the keys its component has in the registry. Exit 0 if all verify, 1 if any does not.",
  });
  if (o === undefined) return ExitCode.OK;
  if (o.endorsements === undefined) throw new UsageError("the following argument is required: --endorsements");
  const keys = keySource(o);
  const policy = policyFrom(o, keys, trustedLogs(o));
  let names: string[];
  try {
    names = readdirSync(o.endorsements).filter((n) => !n.startsWith(".")).sort();
  } catch {
    throw new UsageError("is not a readable folder", `--endorsements ${o.endorsements}`);
  }
  const folders = names.filter((n) => statSync(join(o.endorsements!, n)).isDirectory() && existsSync(join(o.endorsements!, n, ENDORSEMENT_FILES.statement)));
  if (folders.length === 0) throw new UsageError(`holds no component folder with ${ENDORSEMENT_FILES.statement}`, `--endorsements ${o.endorsements}`);
  // A folder whose files cannot be read is a failed component, not a reason to stop: the report covers the release.
  const rows: Row[] = folders.map((folder) => {
    try {
      return { folder, verdict: verifyEndorsement(evidenceFromDir(join(o.endorsements!, folder)), policy) };
    } catch (err) {
      if (err instanceof ReftrailError) return { folder, error: { code: err.code, message: `${err.subject ? `${err.subject}: ` : ""}${err.message}` } };
      throw err;
    }
  });
  const ok = rows.every((r) => r.verdict?.verified);
  if (o.json) process.stdout.write(json({ verified: ok, components: rows }));
  else {
    const table = rows.map((r) => {
      const v = r.verdict;
      if (!v) return [r.folder, "", "ERROR", `${r.error!.code}: ${r.error!.message}`];
      return [r.folder, v.endorsement?.component ?? "", v.verified ? "VERIFIED" : "FAILED", v.verified ? `log index ${v.logEntry?.logIndex}, valid until ${v.endorsement?.validity.notAfter}` : `${v.failure!.check}: ${v.failure!.message}`];
    });
    process.stdout.write(`${ok ? "VERIFIED" : "NOT VERIFIED"} ${o.endorsements}: ${rows.filter((r) => r.verdict?.verified).length}/${rows.length} components\n` + formatTable(["folder", "component", "verdict", "detail"], table));
  }
  if (!ok) process.stderr.write(`reftrail: not verified: ${rows.filter((r) => !r.verdict?.verified).map((r) => r.folder).join(", ")}\n`);
  return ok ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
