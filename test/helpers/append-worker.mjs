// A separate writer process for the concurrency test: opens the embedded log in-process (compiled
// dist/ code, as `reftrail` runs it) and appends entries, printing what each append acknowledged.
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { EmbeddedLog } from "../../dist/tlog/embedded/log.js";
import { RekorClient } from "../../dist/tlog/client.js";
import { inProcessTransport } from "../../dist/tlog/embedded/in-process.js";

const [dir, worker, count] = process.argv.slice(2);
const log = EmbeddedLog.open(dir);
const client = new RekorClient(inProcessTransport(log));
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const pem = Buffer.from(publicKey.export({ type: "spki", format: "pem" })).toString("base64");
const proposal = (i) => {
  const artifact = Buffer.from(`worker ${worker} entry ${i}`);
  return {
    kind: "hashedrekord",
    apiVersion: "0.0.1",
    spec: {
      data: { hash: { algorithm: "sha256", value: createHash("sha256").update(artifact).digest("hex") } },
      signature: { content: sign("sha256", artifact, privateKey).toString("base64"), publicKey: { content: pem } },
    },
  };
};
for (let i = 0; i < Number(count); i += 10) {
  const batch = await Promise.all(Array.from({ length: Math.min(10, Number(count) - i) }, (_, j) => client.createEntry(proposal(i + j))));
  for (const r of batch) process.stdout.write(JSON.stringify({ id: r.entryId, index: r.entry.logIndex, checkpoint: r.entry.verification.inclusionProof.checkpoint }) + "\n");
}
log.close();
