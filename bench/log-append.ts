/**
 * Append throughput of `reftrail log serve` over HTTP on loopback: concurrent keep-alive clients post
 * pre-signed hashedrekord entries (signing is not what is measured); every 201 means the entry is
 * committed with synchronous=FULL (fsync). Prints entries per second, median of several runs.
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { Agent, request } from "node:http";
import { CLI, RUNS, median } from "./common.js";

const ENTRIES = Number(process.env["BENCH_APPENDS"] ?? 5000);
const CLIENTS = Number(process.env["BENCH_CLIENTS"] ?? 32);
const runs = Math.max(3, Math.min(RUNS, 5));

function proposals(n: number): string[] {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const pem = Buffer.from(publicKey.export({ type: "spki", format: "pem" }) as string).toString("base64");
  return Array.from({ length: n }, (_, i) => {
    const artifact = Buffer.from(`bench artifact ${i} ${Math.random()}`);
    return JSON.stringify({
      kind: "hashedrekord",
      apiVersion: "0.0.1",
      spec: {
        data: { hash: { algorithm: "sha256", value: createHash("sha256").update(artifact).digest("hex") } },
        signature: { content: sign("sha256", artifact, privateKey).toString("base64"), publicKey: { content: pem } },
      },
    });
  });
}

async function run(): Promise<{ perSecond: number; backend: string }> {
  const dir = mkdtempSync(join(tmpdir(), "reftrail-bench-log-"));
  const init = spawn(process.execPath, [CLI, "log", "init", "--log", dir], { stdio: "ignore" });
  await new Promise((r) => init.once("exit", r));
  const server = spawn(process.execPath, [CLI, "log", "serve", "--log", dir, "--port", "0", "--json"], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = await new Promise<{ url: string; signatureBackend: string }>((resolve) => createInterface({ input: server.stdout! }).once("line", (l) => resolve(JSON.parse(l))));
  const bodies = proposals(ENTRIES);
  // node:http with keep-alive: the load generator shares the machine, so it should cost little.
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const url = new URL(`${ready.url}/api/v1/log/entries`);
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
      });
      req.once("error", reject);
      req.end(body);
    });
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const status = await post(bodies[next++]!);
        if (status !== 201) throw new Error(`append answered ${status}`);
      }
    }),
  );
  agent.destroy();
  const seconds = (performance.now() - start) / 1000;
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
  return { perSecond: ENTRIES / seconds, backend: ready.signatureBackend };
}

const results: number[] = [];
let backend = "";
for (let i = 0; i < runs; i++) {
  const r = await run();
  results.push(r.perSecond);
  backend = r.backend;
}
process.stdout.write(
  [
    `Appends over HTTP on loopback: ${ENTRIES} entries, ${CLIENTS} concurrent clients, durable (WAL, synchronous=FULL), digest signatures via ${backend}; ${runs} runs, ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| entries/s (median) | runs | goal |",
    "|---|---|---|",
    `| ${median(results).toFixed(0)} | ${results.map((r) => r.toFixed(0)).join(", ")} | at least 2,000 |`,
    "",
  ].join("\n"),
);
