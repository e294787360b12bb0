import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedEntries } from "../../../src/audit/site/logged-entries.js";
import { hashedRekordFor } from "../../../src/endorse/publish.js";
import { publicKeyPem } from "../../../src/keys/component-keys.js";
import { EmbeddedLog, initLog } from "../../../src/tlog/embedded/log.js";
import { canonicalizeEntry } from "../../../src/tlog/kinds/entries.js";

const dir = mkdtempSync(join(tmpdir(), "reftrail-entries-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("embeddedEntries", () => {
  it("finds every entry of a key, past the 10,000 indexes the log's search answers", async () => {
    initLog(dir, "entries.test.local");
    const log = EmbeddedLog.open(dir);
    try {
      const mine = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const other = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const entry = (keys: typeof mine, i: number) => {
        const statement = Buffer.from(`statement ${i}`);
        return canonicalizeEntry(hashedRekordFor({ statement, signature: sign("sha256", statement, keys.privateKey), publicKeyPem: publicKeyPem(keys.publicKey) }));
      };
      const MINE = 10_050;
      const pending: Promise<unknown>[] = [];
      for (let i = 0; i < MINE; i++) {
        pending.push(log.submit(entry(mine, i)));
        if (i % 1000 === 0) pending.push(log.submit(entry(other, i)));
      }
      await Promise.all(pending);
      const found = await embeddedEntries(log, "test").byKey({ key: mine.publicKey, keyId: "mine", source: "test" });
      expect(found).toHaveLength(MINE);
      // Each one is an entry of that key: its body's statement digest is one this test signed.
      const digests = new Set(Array.from({ length: MINE }, (_, i) => createHash("sha256").update(`statement ${i}`).digest("hex")));
      for (const { entry: e } of found) {
        const body = JSON.parse(Buffer.from(e.body, "base64").toString("utf8")) as { spec: { data: { hash: { value: string } } } };
        expect(digests.delete(body.spec.data.hash.value)).toBe(true);
      }
      expect(await embeddedEntries(log, "test").byKey({ key: other.publicKey, keyId: "other", source: "test" })).toHaveLength(11);
    } finally {
      log.close();
    }
  }, 120_000);
});
