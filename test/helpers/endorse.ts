import { createPublicKey, sign, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { hashedRekordFor } from "../../src/endorse/publish.js";
import { keyIdOf } from "../../src/keys/component-keys.js";
import { RekorClient } from "../../src/tlog/client.js";
import { EmbeddedLog, initLog } from "../../src/tlog/embedded/log.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { logIdentity } from "../../src/tlog/keys.js";
import type { TrustedLogKey } from "../../src/tlog/keys.js";
import type { LoggedEndorsement } from "../../src/tlog/logged-endorsement.js";
import type { EndorsementPolicy } from "../../src/verify/endorsement/policy.js";
import { loggedFromLogEntry } from "../../src/tlog/read-logged.js";
import { COMMITTED } from "./fixtures.js";
import { tempDir } from "./tlog.js";

export const committed = (relative: string): Buffer => readFileSync(join(COMMITTED, relative));
export const committedKey = (relative: string): KeyObject => createPublicKey(committed(relative));

/** The public-good Rekor v1 log, as Oak's testdata pins its key. */
export const PUBLIC_GOOD: TrustedLogKey = { identity: logIdentity(committedKey("sigstore/oak/rekor_public_key.pem")), name: "rekor.sigstore.dev", source: "rekor_public_key.pem" };

export const msInstant = (ms: number): bigint => BigInt(ms) * 1_000_000n;

export function keyPolicy(key: KeyObject, logs: readonly TrustedLogKey[], at: bigint, extra: Partial<EndorsementPolicy> = {}): EndorsementPolicy {
  return { keys: { kind: "keys", keys: [{ key, keyId: keyIdOf(key), source: "test key" }] }, logs, at, requiredClaims: [], allowSetOnly: false, ...extra };
}

/** Oak's own testdata endorsement with its real public-good Rekor entry. */
export function oakTestdata(): { evidence: LoggedEndorsement; key: KeyObject; statement: Buffer; signature: Buffer; logEntry: string } {
  const statement = committed("sigstore/oak/endorsement.json");
  const signature = committed("oak/oak_attestation_verification/testdata/endorsement.json.sig");
  const logEntry = committed("sigstore/oak/logentry.json").toString("utf8");
  return { evidence: loggedFromLogEntry(statement, signature, logEntry, "logentry.json"), key: committedKey("sigstore/oak/endorser_public_key.pem"), statement, signature, logEntry };
}

export interface TestLog {
  readonly log: EmbeddedLog;
  readonly client: RekorClient;
  readonly trusted: TrustedLogKey;
  close(): void;
}

export function testLog(): TestLog {
  const dir = tempDir("verify-log");
  initLog(dir, "test.log.example");
  const log = EmbeddedLog.open(dir);
  return { log, client: new RekorClient(inProcessTransport(log)), trusted: { identity: log.identity, name: log.name, source: "test log" }, close: () => log.close() };
}

/** Logs `statement` signed by `signer` (the body names `signer`), returning Oak-style evidence carrying `signature`. */
export async function logged(t: TestLog, statement: Uint8Array, signer: { privateKey: KeyObject; publicKey: KeyObject }, signature?: Uint8Array): Promise<LoggedEndorsement> {
  const bodySignature = sign("sha256", statement, signer.privateKey);
  const pem = signer.publicKey.export({ type: "spki", format: "pem" }) as string;
  const { entryId, entry } = await t.client.createEntry(hashedRekordFor({ statement, signature: bodySignature, publicKeyPem: pem }));
  return loggedFromLogEntry(statement, signature ?? bodySignature, JSON.stringify({ [entryId]: entry }), "logentry.json");
}
