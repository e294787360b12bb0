import { describe, expect, it } from "vitest";
import { RekorClient, type Transport } from "../../src/tlog/client.js";

/** A transport that answers every request with `body` (status 200). */
function answering(body: string): Transport {
  return { description: "canned answers", request: async () => ({ status: 200, header: () => undefined, body }) };
}

describe("RekorClient reads answers with the strict JSON reader", () => {
  const info = (treeSize: string) => `{"rootHash":"${"ab".repeat(32)}","treeSize":${treeSize},"signedTreeHead":"x","treeID":"1"}`;
  it("accepts a well-formed answer", async () => {
    expect((await new RekorClient(answering(info("5"))).getLogInfo()).treeSize).toBe(5);
  });
  it.each([
    ["an integer written 5.0", info("5.0"), /treeSize as '5\.0'/],
    ["an integer written 5e0", info("5e0"), /treeSize as '5e0'/],
    ["an integer beyond 2^53 - 1", info("9007199254740993"), /beyond 2\^53 - 1 at treeSize/],
    ["a repeated key", info("5").replace("{", '{"treeSize":4,'), /repeats the key 'treeSize'/],
  ])("refuses %s", async (_, body, message) => {
    await expect(new RekorClient(answering(body)).getLogInfo()).rejects.toThrow(message);
  });
  it("search results too", async () => {
    await expect(new RekorClient(answering('["a","a"]')).searchIndex({ hash: "ab".repeat(32) })).resolves.toEqual(["a", "a"]);
    await expect(new RekorClient(answering('{"a":1,"a":2}')).searchIndex({ hash: "ab".repeat(32) })).rejects.toThrow(/repeats the key/);
  });
});
