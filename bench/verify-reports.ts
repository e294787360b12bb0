/**
 * SEV-SNP report verification throughput: one real report (Oak's Genoa report, v5) verified over and
 * over in one process with its certificate chain verified once and cached, as a verifier service
 * does for reports from the same machine. Each verification parses the 1184 bytes and runs every
 * report check (signature, binding, default policy). The floor is one ECDSA P-384 verification, at
 * the rate `openssl speed ecdsap384` measures on the same machine.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { verify } from "node:crypto";
import { parseReport } from "../src/verify/snp/abi/report.js";
import { verifyChain } from "../src/verify/snp/chain.js";
import { verifyReport, verifyReportWithChain } from "../src/verify/snp/verifier.js";
import { parseCertificate } from "../src/verify/x509/certificate.js";
import { ROOT, median, opensslVerifiesPerSecond } from "./common.js";

const N = Number(process.env["BENCH_REPORTS"] ?? 5000);
const RUNS = Math.min(Math.max(Number(process.env["BENCH_RUNS"] ?? 7), 3), 21);
const dir = join(ROOT, "test/fixtures/snp-reports/oak_genoa_oc");
const bytes = new Uint8Array(readFileSync(join(dir, "report.bin")));
const vek = parseCertificate(new Uint8Array(readFileSync(join(dir, "vcek.der"))));
const at = BigInt(Date.parse("2026-06-01T00:00:00Z")) * 1_000_000n;

function timed(fn: () => void, count: number): number[] {
  fn(); // warm-up pass, not counted
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    for (let i = 0; i < count; i++) fn();
    rates.push((count * 1000) / (performance.now() - t));
  }
  return rates;
}

const before = opensslVerifiesPerSecond("ecdsap384");
const chain = verifyChain({ vek, at });
if (!chain.ok) throw new Error("the chain does not verify");
const cached = timed(() => {
  if (!verifyReportWithChain(parseReport(bytes), chain, { at }).verified) throw new Error("report did not verify");
}, N);
const signed = bytes.subarray(0, 0x2a0);
const report = parseReport(bytes);
const signature = Buffer.concat([report.signature.r, report.signature.s]);
const signatureOnly = timed(() => {
  if (!verify("sha384", signed, { key: vek.publicKey, dsaEncoding: "ieee-p1363" }, signature)) throw new Error("signature");
}, N);
const uncached = timed(() => {
  if (!verifyReport({ report: parseReport(bytes), vek }, { at }).verified) throw new Error("report did not verify");
}, Math.max(50, Math.floor(N / 20)));
const after = opensslVerifiesPerSecond("ecdsap384");

const floor = [before, after].filter((x) => x !== undefined).map((x) => x!.perSecond);
const floorRate = floor.length ? floor.reduce((a, b) => a + b) / floor.length : undefined;
const fmt = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });
const row = (name: string, rates: number[]) => `| ${name} | ${fmt(median(rates))}/s | ${(1e6 / median(rates)).toFixed(0)} µs | ${floorRate ? `${(floorRate / median(rates)).toFixed(2)}x` : "n/a"} |`;

process.stdout.write(
  [
    `Report: Oak Genoa v5 (test/fixtures/snp-reports/oak_genoa_oc), ${N} verifications per pass, median of ${RUNS} passes; Node ${process.version} (OpenSSL ${process.versions.openssl}), ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| measurement | rate (median) | per report | slower than the floor |",
    "|---|---|---|---|",
    row("**parse + verify, chain cached** (signature, binding, default policy)", cached),
    row("ECDSA P-384 signature alone (node:crypto)", signatureOnly),
    row("parse + verify with the chain verified each time (3 RSA-4096 PSS + ECDSA)", uncached),
    floorRate ? `| floor: \`openssl speed -seconds 3 ecdsap384\` (${before?.version ?? after?.version}) | ${fmt(floorRate)}/s (${floor.map(fmt).join(" before, ")} after) | ${(1e6 / floorRate).toFixed(0)} µs | 1x |` : "| floor: openssl speed not available | | | |",
    "",
  ].join("\n"),
);
