/**
 * Oak evidence verification end to end (issue 11): milan_oc_release with its endorsement reference
 * values, in one warm process, bytes to verdict (protobuf decoding of Evidence, Endorsements and
 * ReferenceValues, the SEV-SNP report and VCEK chain, the DICE chain and event binding, five
 * endorsements with their Rekor entries, inclusion proofs and checkpoints, every comparison). The
 * floor is the signature verifications no verifier can skip, at the rates `openssl speed` measures
 * on the same machine: per DICE certificate one ECDSA P-256 (3 layers + 3 application keys), per
 * endorsement three (statement, SET, checkpoint), the report's ECDSA P-384, and the VCEK's
 * RSA-4096 PSS signature by the pinned ASK.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeOakInputs, verifyOakEvidence } from "../src/verify/oak/verifier.js";
import { ROOT, median, opensslVerifiesPerSecond } from "./common.js";

const N = Number(process.env["BENCH_OAK"] ?? 200);
const RUNS = Math.min(Math.max(Number(process.env["BENCH_RUNS"] ?? 7), 3), 21);
const testdata = (name: string) => new Uint8Array(readFileSync(join(ROOT, "test/fixtures/oak/oak_attestation_verification/testdata", name)));
const evidence = testdata("milan_oc_release_evidence.binarypb");
const endorsements = testdata("milan_oc_release_endorsements.binarypb");
const referenceValues = new Uint8Array(readFileSync(join(ROOT, "test/fixtures/oak/derived/milan_oc_release_endorsement_reference_values.binarypb")));
const at = BigInt(Date.parse("2025-08-01T00:00:00Z")) * 1_000_000n;

const once = () => {
  const verdict = verifyOakEvidence(decodeOakInputs(evidence, endorsements, referenceValues), at);
  if (!verdict.verified) throw new Error(`not verified: ${verdict.failures.join(", ")}`);
  return verdict;
};

const t0 = performance.now();
const first = once();
const cold = performance.now() - t0;
const perVerification: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  for (let i = 0; i < N; i++) once();
  perVerification.push((performance.now() - t) / N);
}

const inputs = decodeOakInputs(evidence, endorsements, referenceValues);
const keys = inputs.evidence.applicationKeys!;
const applicationCertificates = [keys.encryptionPublicKeyCertificate, keys.signingPublicKeyCertificate, keys.groupEncryptionPublicKeyCertificate, keys.groupSigningPublicKeyCertificate].filter((c) => c.byteLength > 0).length;
const diceCertificates = inputs.evidence.layers.length + applicationCertificates;
const endorsementCount = new Set(first.components.flatMap((c) => (c.endorsement?.logIndex !== undefined ? [c.endorsement.logIndex] : []))).size;
const p256 = diceCertificates + 3 * endorsementCount;

const rates = { p256: [opensslVerifiesPerSecond("ecdsap256")], p384: [opensslVerifiesPerSecond("ecdsap384")], rsa: [opensslVerifiesPerSecond("rsa4096")] };
const mean = (xs: ({ perSecond: number } | undefined)[]) => {
  const ok = xs.filter((x) => x !== undefined).map((x) => x!.perSecond);
  return ok.length ? ok.reduce((a, b) => a + b) / ok.length : undefined;
};
const [r256, r384, r4096] = [mean(rates.p256), mean(rates.p384), mean(rates.rsa)];
const floorMs = r256 && r384 && r4096 ? (p256 / r256 + 1 / r384 + 1 / r4096) * 1000 : undefined;
const ms = median(perVerification);
const fmt = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 0 });

process.stdout.write(
  [
    `Set: Oak milan_oc_release + milan_oc_release_endorsement_reference_values at 2025-08-01; ${N} verifications per pass, median of ${RUNS} passes; Node ${process.version} (OpenSSL ${process.versions.openssl}); ${rates.p256[0]?.version ?? "openssl n/a"}; ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| measurement | per verification |",
    "|---|---|",
    `| **bytes → verdict, warm process** (median of ${RUNS} passes of ${N}) | **${(ms * 1000).toFixed(0)} µs** |`,
    `| first verification in the process (cold code) | ${(cold * 1000).toFixed(0)} µs |`,
    floorMs
      ? `| floor: ${p256} × ECDSA P-256 (${diceCertificates} DICE certificates + 3 × ${endorsementCount} endorsements) at ${fmt(r256!)}/s + 1 × ECDSA P-384 at ${fmt(r384!)}/s + 1 × RSA-4096 at ${fmt(r4096!)}/s | ${(floorMs * 1000).toFixed(0)} µs |`
      : "| floor: openssl speed not available | |",
    floorMs ? `| **ratio** | **${(ms / floorMs).toFixed(2)}x** the floor |` : "",
    "",
  ].join("\n"),
);
