import { publishWithGate, type PublishGate, type PublishOptions } from "../../endorse/publish.js";
import type { KeySource } from "../../keys/key-source.js";
import type { RekorClient } from "../../tlog/client.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { secondsToNs } from "../../util/rfc3339.js";
import type { EndorsementPolicy } from "./policy.js";
import { verifyBeforeLogging, verifyEndorsement } from "./verifier.js";

const policyFor = (keys: KeySource, logs: readonly TrustedLogKey[], at: bigint): EndorsementPolicy => ({ keys, logs, at, requiredClaims: [], allowSetOnly: false });

/** reftrail's own endorsement verifier, in the shape publishing asks for (see PublishGate). */
export const verifierGate: PublishGate = {
  beforeLogging(signed, keys, at) {
    const verdict = verifyBeforeLogging(signed, policyFor(keys, [], at));
    const component = verdict.content?.reftrail?.component.name;
    return { ...(verdict.failure ? { failure: `${verdict.failure.check}: ${verdict.failure.message}` } : {}), ...(component !== undefined ? { component } : {}) };
  },
  logged(logged, keys, log) {
    const verdict = verifyEndorsement(logged, policyFor(keys, [log], secondsToNs(logged.entry.integratedTime)));
    return verdict.verified ? undefined : `${verdict.failure!.check}: ${verdict.failure!.message}`;
  },
};

/**
 * Publishes one signed component folder, refusing what reftrail's verifier would reject (see
 * publishWithGate): what `reftrail publish release` runs for each component.
 */
export function publishEndorsement(dir: string, client: RekorClient, log: TrustedLogKey, options: PublishOptions = { now: BigInt(Date.now()) * 1_000_000n }): ReturnType<typeof publishWithGate> {
  return publishWithGate(dir, client, log, verifierGate, options);
}
