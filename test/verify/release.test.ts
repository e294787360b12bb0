import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { componentStatement, statementBytes } from "../../src/endorse/statement.js";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { verifyEndorsement } from "../../src/verify/endorsement/verifier.js";
import { releaseProblems, type ReleaseFolder } from "../../src/verify/release.js";
import { NS_PER_SECOND, parseRfc3339 } from "../../src/util/rfc3339.js";
import { ROOT } from "../helpers/fixtures.js";
import { PUBLIC_GOOD, keyPolicy, logged, oakTestdata, testLog } from "../helpers/endorse.js";

const values = ReferenceValues.parse(JSON.parse(readFileSync(join(ROOT, "reference-values/2026.11.0.json"), "utf8")));
const DAY = 86_400n * NS_PER_SECOND;

const t = testLog();
afterAll(() => t.close());

/** Oak's real testdata endorsement (no predicate.reftrail), verified with its real public-good entry. */
function oakFolder(): ReleaseFolder {
  const { evidence, key } = oakTestdata();
  const verdict = verifyEndorsement(evidence, keyPolicy(key, [PUBLIC_GOOD], parseRfc3339("2024-10-01T00:00:00Z")!));
  expect(verdict.verified).toBe(true);
  expect(verdict.endorsement?.reftrail).toBeUndefined();
  return { folder: "oak_orchestrator", verdict };
}

/** A reftrail endorsement of one component, logged in a test log and verified just after. */
async function reftrailFolder(name: string): Promise<ReleaseFolder> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const component = values.components.find((c) => c.name === name)!;
  const statement = statementBytes(componentStatement(values.release, component, { issuedOn: now - DAY, notBefore: now - DAY, notAfter: now + DAY }));
  const signer = generateKeyPairSync("ec", { namedCurve: "P-256" });
  // Verified a minute on: logging may cross into the next second, and an entry integrated after the verification time fails LOG_TIME.
  const verdict = verifyEndorsement(await logged(t, statement, signer), keyPolicy(signer.publicKey, [t.trusted], now + 60n * NS_PER_SECOND));
  expect(verdict.verified).toBe(true);
  return { folder: name, verdict };
}

describe("release checks", () => {
  it("RELEASE_FOREIGN: an endorsement without reftrail's reference values in a reftrail release", async () => {
    const problems = releaseProblems([await reftrailFolder("initrd"), oakFolder()]);
    expect(problems).toEqual([{ check: "RELEASE_FOREIGN", folder: "oak_orchestrator", message: expect.stringContaining("oak_orchestrator") }]);
  });

  it("a release of Oak endorsements only has no reftrail release to be foreign to", () => {
    expect(releaseProblems([oakFolder()])).toEqual([]);
  });

  it("a reftrail release alone has no problem", async () => {
    expect(releaseProblems([await reftrailFolder("initrd"), await reftrailFolder("cmdline")])).toEqual([]);
  });
});
