import { componentHistory } from "../../audit/history/history.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, timeOption, type OptionSpecs } from "../args.js";
import { AUDITOR_OPTIONS, AUDIT_SOURCE_OPTIONS, HistoryJson, HistoryTable, auditorInputs, openAuditLog } from "../audit.js";
import type { Command } from "../command.js";
import { ExitCode } from "../errors.js";
import { notVerified } from "../output.js";

const NAME = "audit history";
const OPTIONS = {
  component: { type: "string", value: "NAME", description: "the component whose history to show (required)" },
  ...AUDIT_SOURCE_OPTIONS,
  since: { type: "string", value: "TIME", description: "only entries integrated at or after TIME (RFC 3339 or YYYY-MM-DD)" },
  ...AUDITOR_OPTIONS,
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--component NAME (--log DIR | --rekor-url URL [--rekor-key FILE]) --key-registry FILE [--since TIME] [--reference-values DIR] [--endorsements DIR] [--state DIR] [--json]",
    summary:
      "Every endorsement logged under the component's registered keys, newest first: release, subject, launch digests, issuedOn, validity, log index and time, and its checks (statement signature, inclusion proof, that checkpoint's consistency with the auditor's, key window), with what changed since the entry before. The log's checkpoint is checked against the one the auditor verified before (--state); an inconsistent one (FORK, ROLLBACK, CHECKPOINT) is reported and not stored. Exit 0 when everything verifies and matches, 1 when an entry fails or is flagged or the log is inconsistent, 2 on usage or input errors.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["component", "key-registry"]);
  const since = o.since === undefined ? undefined : timeOption("--since", o.since);
  const { storeState, ...inputs } = auditorInputs(o);
  const target = await openAuditLog(o);
  const write = (text: string) => process.stdout.write(text);
  // Written as the entries are read: a history of 100,000 entries is never held whole.
  const out = o.json ? new HistoryJson(write) : new HistoryTable(write);
  let run;
  try {
    run = await componentHistory({
      ...inputs,
      component: o.component!,
      client: target.client,
      log: target.log,
      ...(since !== undefined ? { since } : {}),
      now: BigInt(Date.now()) * 1_000_000n,
      onEntry: (e) => out.row(e),
    });
  } finally {
    target.close();
  }
  if (run.history.log.advanced) storeState(run.state);
  const h = run.history;
  out.end(h);
  if (!h.verified) notVerified(h.checks.filter((c) => c.status !== "passed").map((c) => `${c.check}: ${c.detail ?? ""}`).join("; "));
  return h.verified ? ExitCode.OK : ExitCode.VERIFICATION_FAILED;
}

export const command: Command = { run };
