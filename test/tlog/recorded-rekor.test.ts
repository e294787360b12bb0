import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RekorClient, type Transport } from "../../src/tlog/client.js";
import { logIdentity } from "../../src/tlog/keys.js";
import { verifyLogEntry } from "../../src/tlog/verify-entry.js";
import { COMMITTED } from "../helpers/fixtures.js";

/**
 * Public Rekor is not reachable from here, so its recorded answers stand in for it: the same
 * RekorClient and verification code paths as against the embedded log, fed public-good data.
 * - Oak's logentry.json is a verbatim `GET /api/v1/log/entries/{uuid}` response.
 * - The sigstore-conformance managed-key bundle's tlog entry is rewritten into that response shape
 *   (hex logID and proof hashes, integers) without changing any signed byte.
 */
const dir = join(COMMITTED, "sigstore");
const oak = JSON.parse(readFileSync(join(dir, "oak/logentry.json"), "utf8")) as Record<string, { logIndex: number }>;
const [oakId, oakEntry] = Object.entries(oak)[0]!;

interface BundleTle {
  logIndex: string;
  logId: { keyId: string };
  integratedTime: string;
  inclusionPromise: { signedEntryTimestamp: string };
  inclusionProof: { logIndex: string; rootHash: string; treeSize: string; hashes: string[]; checkpoint: { envelope: string } };
  canonicalizedBody: string;
}
const bundle = JSON.parse(readFileSync(join(dir, "conformance/managed-key-happy-path/bundle.sigstore.json"), "utf8")) as { verificationMaterial: { tlogEntries: BundleTle[] } };
const tle = bundle.verificationMaterial.tlogEntries[0]!;
const hex = (b64: string) => Buffer.from(b64, "base64").toString("hex");
const conformanceLeaf = (await import("../../src/tlog/merkle.js")).leafHash(Buffer.from(tle.canonicalizedBody, "base64"));
// The active shard of public-good Rekor (trusted root, fixtures README §7).
const conformanceId = (1193050959916656506n).toString(16).padStart(16, "0") + Buffer.from(conformanceLeaf).toString("hex");
const conformanceEntry = {
  body: tle.canonicalizedBody,
  integratedTime: Number(tle.integratedTime),
  logID: hex(tle.logId.keyId),
  logIndex: Number(tle.logIndex),
  verification: {
    signedEntryTimestamp: tle.inclusionPromise.signedEntryTimestamp,
    inclusionProof: {
      logIndex: Number(tle.inclusionProof.logIndex),
      rootHash: hex(tle.inclusionProof.rootHash),
      treeSize: Number(tle.inclusionProof.treeSize),
      hashes: tle.inclusionProof.hashes.map(hex),
      checkpoint: tle.inclusionProof.checkpoint.envelope,
    },
  },
};

const recorded = new Map<string, unknown>([
  [`GET /api/v1/log/entries/${oakId}`, oak],
  [`GET /api/v1/log/entries?logIndex=${oakEntry.logIndex}`, oak],
  [`GET /api/v1/log/entries/${conformanceId}`, { [conformanceId]: conformanceEntry }],
]);

const recordedRekor: Transport = {
  description: "recorded rekor.sigstore.dev responses",
  async request(method, path) {
    const body = recorded.get(`${method} ${path}`);
    return body === undefined
      ? { status: 404, header: () => "application/json", body: JSON.stringify({ code: 404, message: "entry not found" }) }
      : { status: 200, header: () => "application/json", body: JSON.stringify(body) };
  },
};

const publicGood = { identity: logIdentity(createPublicKey(readFileSync(join(dir, "oak/rekor_public_key.pem")))), name: "rekor.sigstore.dev" };

describe("the Rekor client against recorded public-good Rekor responses", () => {
  const client = new RekorClient(recordedRekor);
  it("fetches and verifies Oak's rekord entry by id and by index", async () => {
    for (const got of [await client.getEntry(oakId), await client.getEntryByIndex(oakEntry.logIndex)]) {
      expect(got.entryId).toBe(oakId);
      expect(verifyLogEntry(got.entryId, got.entry, publicGood).checkpoint.size).toBe(10289604);
    }
  });
  it("fetches and verifies the conformance hashedrekord entry", async () => {
    const got = await client.getEntry(conformanceId);
    expect(verifyLogEntry(got.entryId, got.entry, publicGood).checkpoint.origin).toBe("rekor.sigstore.dev - 1193050959916656506");
  });
  it("reports a missing entry as the log's answer", async () => {
    await expect(client.getEntry("0".repeat(80))).rejects.toMatchObject({ code: "REKOR_RESPONSE", message: expect.stringMatching(/404: entry not found/) });
  });
});
