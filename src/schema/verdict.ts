import { z } from "zod";

/**
 * The one result model of every reftrail verifier (endorsement, report, release, evidence): named
 * checks, each with its outcome, what was expected and what was found. The CLI, the GitHub Actions
 * and the web viewer all read this object; `schemas/verdict.json` describes it.
 *
 * - `passed`: the check held.
 * - `failed`: it did not; `detail` says why.
 * - `skipped`: it does not apply to this input (`detail` says why), which never fails a verdict.
 * - `not run`: it could not be evaluated: an input it needs is missing, or the verifier stops at
 *   the first failure and this check comes after it. Either way it never counts as passed.
 */
export const CheckStatus = z.enum(["passed", "failed", "skipped", "not run"]);
export type CheckStatus = z.infer<typeof CheckStatus>;

export const CheckResult = z
  .object({
    check: z.string().regex(/^[A-Z][A-Z0-9_]*$/).describe("the check's name: the machine-readable code"),
    description: z.string().describe("what the check establishes, in words"),
    subject: z.string().optional().describe("what the check is about when a verifier runs it more than once (a component, a file)"),
    status: CheckStatus,
    expected: z.string().optional().describe("the value the check required"),
    actual: z.string().optional().describe("the value found"),
    detail: z.string().optional().describe("why it failed, was skipped or could not run; what it verified when it passed"),
  })
  .strict();
export type CheckResult = z.infer<typeof CheckResult>;

/**
 * A verdict: verified only when no check failed and none that the verifier requires was left
 * unevaluated. `failures` names, in check order, the checks the verdict is "not verified" because
 * of: every failed check, and every check that could not run for want of its input. A verifier
 * that stops at the first failure lists only that one (the checks after it are `not run` as a
 * consequence, not a cause).
 */
export const Verdict = z
  .object({
    verified: z.boolean(),
    failures: z.array(z.string()),
    checks: z.array(CheckResult),
  })
  .strict();
export type Verdict = z.infer<typeof Verdict>;

/** Builders, so every verifier words its results the same way. */
export const checkResult = {
  passed: (check: string, description: string, actual?: string, expected?: string, detail?: string): CheckResult => ({
    check,
    description,
    status: "passed",
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
    ...(detail !== undefined ? { detail } : {}),
  }),
  failed: (check: string, description: string, detail: string, expected?: string, actual?: string): CheckResult => ({
    check,
    description,
    status: "failed",
    ...(expected !== undefined ? { expected } : {}),
    ...(actual !== undefined ? { actual } : {}),
    detail,
  }),
  skipped: (check: string, description: string, detail: string): CheckResult => ({ check, description, status: "skipped", detail }),
  notRun: (check: string, description: string, detail: string): CheckResult => ({ check, description, status: "not run", detail }),
};

/**
 * A verdict over checks that all must hold (every check runs; none stops the others): a check
 * that failed or could not run is a failure.
 */
export function verdictOf(checks: readonly CheckResult[]): Verdict {
  const failures = checks.filter((c) => c.status === "failed" || c.status === "not run").map((c) => c.check);
  return { verified: failures.length === 0, failures, checks: [...checks] };
}
