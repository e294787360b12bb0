import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseKeyRegistry } from "../../src/keys/registry.js";
import { logIdentity, publicKeyFromPem } from "../../src/tlog/keys.js";
import type { EndorsementTrust, FoundEndorsement } from "../../src/verify/evidence/endorsements.js";
import { loggedFromLogEntry as logEntryEvidence } from "../../src/tlog/read-logged.js";
import { runCli } from "./cli.js";

/** A release endorsed and published with the real CLI into `home`: keys, endorsements, embedded log. */
export interface EndorsedRelease {
  readonly home: string;
  readonly endorsements: string;
  readonly registry: string;
  readonly logKey: string;
}

function cli(args: readonly string[]): void {
  const r = runCli(args);
  if (r.status !== 0) throw new Error(`reftrail ${args.join(" ")} failed: ${r.stderr}`);
}

/** Endorses and publishes `values` (a reference-values file) with the release's own keys, as `npm start` does. */
export function endorseRelease(values: string, home: string, version: string): EndorsedRelease {
  const keys = join(home, "keys");
  const endorsements = join(home, "endorsements", version);
  cli(["keys", "generate", "--reference-values", values, "--out", keys, "--registry", join(keys, "registry.json"), "--keep-existing"]);
  cli(["endorse", "release", "--reference-values", values, "--key-dir", keys, "--out", endorsements]);
  cli(["publish", "release", "--endorsements", endorsements, "--log", join(home, "log")]);
  return { home, endorsements, registry: join(keys, "registry.json"), logKey: join(home, "log", "log-public-key.pem") };
}

/** Every published component folder of `dir` as the evidence verifier is given them. */
export function foundEndorsements(dir: string): FoundEndorsement[] {
  return readdirSync(dir).sort().map((folder) => {
    const file = (name: string) => readFileSync(join(dir, folder, name));
    return { source: folder, logged: logEntryEvidence(file("endorsement.json"), file("endorsement.json.sig"), file("logentry.json").toString("utf8"), join(folder, "logentry.json")) };
  });
}

export function releaseTrust(release: EndorsedRelease, at: bigint): EndorsementTrust {
  const registry = parseKeyRegistry(readFileSync(release.registry, "utf8"), release.registry);
  return {
    keys: { kind: "registry", registry, source: release.registry },
    logs: [{ identity: logIdentity(publicKeyFromPem(readFileSync(release.logKey, "utf8"))), source: release.logKey }],
    at,
  };
}
