import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { monitorLog } from "../../../src/audit/monitor/monitor.js";
import { statementsInMemory, type ReleasedStatement } from "../../../src/audit/monitor/released.js";
import { emptyMonitorState } from "../../../src/audit/monitor/state.js";
import { keyIdOf } from "../../../src/keys/component-keys.js";
import { parseKeyRegistry } from "../../../src/keys/registry.js";
import { RekorClient, type Transport } from "../../../src/tlog/client.js";
import { logIdentity, type TrustedLogKey } from "../../../src/tlog/keys.js";
import { PUBLIC_GOOD, committed, oakTestdata } from "../../helpers/endorse.js";

/**
 * The monitor against public Rekor, from its recorded answers (it is not reachable from here): Oak's
 * orchestrator endorsement, entry 132193865 of rekor.sigstore.dev, verbatim; the log's signed tree
 * head is the checkpoint that entry's proof carries (signed by public Rekor, tree 1193050959916656506,
 * whose shard-local index 10289603 is not the global log index). The entry verifies with the same
 * code as the embedded log's; what the monitor then concludes depends on what the project released.
 */
const oak = oakTestdata();
const [entryId, entry] = Object.entries(JSON.parse(oak.logEntry) as Record<string, { verification: { inclusionProof: { rootHash: string; treeSize: number; checkpoint: string } } }>)[0]!;
const proof = entry.verification.inclusionProof;

function recordedRekor(): Transport {
  const json = (value: unknown) => ({ status: 200, header: () => undefined, body: JSON.stringify(value) });
  return {
    description: "recorded rekor.sigstore.dev",
    request(method, path) {
      if (method === "GET" && path === "/api/v1/log") return Promise.resolve(json({ rootHash: proof.rootHash, treeSize: proof.treeSize, signedTreeHead: proof.checkpoint, treeID: "1193050959916656506" }));
      if (method === "POST" && path === "/api/v1/index/retrieve") return Promise.resolve(json([entryId]));
      if (method === "GET" && path === `/api/v1/log/entries/${entryId}`) return Promise.resolve(json({ [entryId]: entry }));
      return Promise.resolve({ status: 404, header: () => undefined, body: '{"code":404,"message":"not recorded"}' });
    },
  };
}

const registry = JSON.stringify({
  version: 1,
  components: { oak_orchestrator: [{ keyId: keyIdOf(oak.key), publicKey: committed("sigstore/oak/endorser_public_key.pem").toString("utf8"), validFor: { start: "2020-01-01T00:00:00Z" } }] },
});

function run(released: ReleasedStatement[], log: TrustedLogKey = PUBLIC_GOOD) {
  return monitorLog({
    client: new RekorClient(recordedRekor()),
    log,
    registry: parseKeyRegistry(registry, "registry.json"),
    registrySource: "registry.json",
    statements: statementsInMemory(released),
    referenceValues: () => Promise.resolve(undefined),
    state: emptyMonitorState(),
  });
}

describe("monitor: public Rekor (recorded)", () => {
  it("the entry verifies against public Rekor's key; a statement the project never released is UNRELEASED", async () => {
    const r = await run([]);
    expect(r.checkpoint).toEqual({ size: 10289604, rootHash: Buffer.from(proof.rootHash, "hex").toString("hex"), origin: "rekor.sigstore.dev - 1193050959916656506" });
    expect(r.problems.map((p) => [p.kind, p.entryId, p.logIndex])).toEqual([["UNRELEASED", entryId, 132193865]]);
    expect(r.problems[0]!.body).toContain("attached to no release");
    expect(r.state.logs[PUBLIC_GOOD.identity.logId]!.entries[entryId]).toEqual({ logIndex: 132193865, outcome: "unreleased" });
  });

  it("Oak's statement attached: verified with reftrail's endorsement verifier, and matching no reference-values document", async () => {
    const r = await run([{ bytes: oak.statement, source: "endorsement.json" }]);
    expect(r.problems.map((p) => p.kind)).toEqual(["UNRELEASED"]);
    expect(r.problems[0]!.body).toContain("carries no reftrail reference values");
  });

  it("with another log key trusted, the checkpoint does not verify and no entry is judged", async () => {
    const other = logIdentity(generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey);
    const r = await run([], { identity: other, name: "rekor.sigstore.dev", source: "another key" });
    expect(r.problems.map((p) => p.kind)).toEqual(["CHECKPOINT"]);
    expect(r.entries).toBe(0);
  });
});
