import type { EndorsementVerdict } from "../verify/endorsement/verifier.js";
import { printable } from "../util/printable.js";
import { formatTable } from "./output.js";

/** The human report of one verification: a verdict line, then every check with its outcome. */
export function verdictText(verdict: EndorsementVerdict, label: string): string {
  const e = verdict.endorsement;
  const what = e ? `${e.component} (${e.subject.name} ${Object.entries(e.subject.digest).map(([a, d]) => `${a}:${d}`)[0] ?? ""})` : label;
  const head = verdict.verified ? `VERIFIED ${what}` : `NOT VERIFIED ${what}: ${verdict.failure!.check}: ${verdict.failure!.message}`;
  const rows = verdict.checks.map((c) => [c.check, c.status, c.detail]);
  return `${printable(head)}\n${formatTable(["check", "status", "detail"], rows)}`;
}
