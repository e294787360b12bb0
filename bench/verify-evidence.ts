/**
 * SEV-SNP evidence verification (stack 1) in one warm process: the example release's endorsements
 * logged in an embedded log, a report of a test-only hierarchy whose MEASUREMENT is one of the
 * release's configurations, and a policy allowing 1-512 vCPUs, the five vCPU models, QEMU, ec2 and
 * gce, and guest features 0x1 and 0x21. Compared with one report verification (`verifyReport`,
 * chain included, as verify evidence runs it). Then the diagnosis of a MEASUREMENT no endorsed
 * combination produces, with 100 endorsed releases in the source.
 */
import { createHash, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signableStatement } from "../src/endorse/statement.js";
import { signStatement } from "../src/endorse/sign.js";
import { hashedRekordFor } from "../src/endorse/publish.js";
import { parseKeyRegistry } from "../src/keys/registry.js";
import { firmwareFromValues } from "../src/measure/compose.js";
import { snpLaunchDigests } from "../src/measure/snp/launch.js";
import { cpuSignature } from "../src/measure/vcpu-types.js";
import { VCPU_TYPES } from "../src/schema/launch-vocabulary.js";
import { EvidencePolicy } from "../src/schema/evidence-policy.js";
import { ReferenceValues, type ComponentValues } from "../src/schema/reference-values.js";
import { RekorClient } from "../src/tlog/client.js";
import { EmbeddedLog, initLog } from "../src/tlog/embedded/log.js";
import { inProcessTransport } from "../src/tlog/embedded/in-process.js";
import { loggedFromLogEntry as logEntryEvidence } from "../src/tlog/read-logged.js";
import type { FoundEndorsement } from "../src/verify/evidence/endorsements.js";
import { LaunchDigestCache } from "../src/verify/evidence/launch-match.js";
import { policyForRelease } from "../src/verify/evidence/policy-init.js";
import { verifySnpEvidence } from "../src/verify/evidence/snp.js";
import { parseReport } from "../src/verify/snp/abi/report.js";
import { generateTestHierarchy, testReport } from "../src/verify/snp/test-hierarchy.js";
import { verifyReport } from "../src/verify/snp/verifier.js";
import { parseCertificate } from "../src/verify/x509/certificate.js";
import { ROOT, median } from "./common.js";

const RUNS = Math.min(Math.max(Number(process.env["BENCH_RUNS"] ?? 7), 3), 21);
const N = Number(process.env["BENCH_EVIDENCE"] ?? 200);
const RELEASES = Number(process.env["BENCH_RELEASES"] ?? 100);

const values = ReferenceValues.parse(JSON.parse(readFileSync(join(ROOT, "reference-values/2026.11.0.json"), "utf8")));
const dir = mkdtempSync(join(tmpdir(), "reftrail-bench-evidence-"));
initLog(join(dir, "log"), "bench.log.example");
const log = EmbeddedLog.open(join(dir, "log"));
const client = new RekorClient(inProcessTransport(log));
const now = BigInt(Date.now()) * 1_000_000n;
const times = { issuedOn: now, notBefore: now - 1_000_000_000n, notAfter: now + 86_400_000_000_000n * 365n };

// One key per component, registered from an hour ago.
const keys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();
for (const c of values.components) keys.set(c.name, generateKeyPairSync("ec", { namedCurve: "P-256" }));
const registryText = JSON.stringify({
  version: 1,
  components: Object.fromEntries(
    [...keys].map(([name, k]) => {
      const spki = k.publicKey.export({ type: "spki", format: "der" });
      return [name, [{ keyId: createHash("sha256").update(spki).digest("hex"), publicKey: k.publicKey.export({ type: "spki", format: "pem" }), validFor: { start: new Date(Date.now() - 3_600_000).toISOString() } }]];
    }),
  ),
});
const trust = { keys: { kind: "registry" as const, registry: parseKeyRegistry(registryText, "bench registry"), source: "bench registry" }, logs: [{ identity: log.identity, name: log.name, source: "bench log" }], at: now + 60_000_000_000n };

/** Endorses and logs every component of `release` (a version of the example, its cmdline and initrd made distinct). */
async function endorse(version: string, component: (c: ComponentValues) => ComponentValues): Promise<FoundEndorsement[]> {
  const found: FoundEndorsement[] = [];
  for (const original of values.components) {
    const c = component(original);
    const { bytes } = signableStatement({ name: values.release.name, version }, c, times);
    const k = keys.get(c.name)!;
    const signature = signStatement(bytes, k.privateKey, k.publicKey);
    const { entryId, entry } = await client.createEntry(hashedRekordFor({ statement: bytes, signature, publicKeyPem: k.publicKey.export({ type: "spki", format: "pem" }) as string }));
    found.push({ source: `${version}/${c.name}`, logged: logEntryEvidence(bytes, signature, JSON.stringify({ [entryId]: entry }), "logentry.json") });
  }
  return found;
}

const release = await endorse(values.release.version, (c) => c);
/** A release series: the same firmware, a new initrd and command line each time. */
const series: FoundEndorsement[] = [];
/** The worst case: every release with a firmware of its own (another page digest), so no sweep is shared. */
const distinct: FoundEndorsement[] = [];
const other = (version: string, c: ComponentValues) => ({ ...c, version, subject: { ...c.subject, digest: { sha256: createHash("sha256").update(`${c.name} ${version}`).digest("hex") } } });
for (let i = 1; i < RELEASES; i++) {
  const version = `2026.11.${i}`;
  series.push(...(await endorse(version, (c) => (c.kind === "cmdline" || c.kind === "initrd" ? other(version, c) : c))));
  distinct.push(...(await endorse(`2026.12.${i}`, (c) => (c.kind === "firmware" ? { ...c, version, layout: { ...c.layout, snpFirmwareDigest: createHash("sha384").update(version).digest("hex") } } : c))));
}

const policy = EvidencePolicy.parse({ ...policyForRelease(values), boot: policyForRelease(values).boot.map((b) => ({ ...b, vcpus: "1-512" })) });
const firmware = firmwareFromValues(values.components.find((c) => c.kind === "firmware") as Extract<ComponentValues, { kind: "firmware" }>);
const milan = cpuSignature(VCPU_TYPES.get("EPYC-Milan")!);
const { digests } = snpLaunchDigests({ firmware: firmware.layout, firmwareDigest: firmware.firmwareDigest }, [{ vmm: "QEMU", vcpuSignature: milan, guestFeatures: 0x21n }], [300]);
const hierarchy = generateTestHierarchy({ at: new Date(Date.now() - 60_000) });
const evidenceOf = (measurement: Uint8Array) => {
  const ark = parseCertificate(hierarchy.ark.der);
  return { report: parseReport(testReport(hierarchy, { measurement })), vek: parseCertificate(hierarchy.vcek.der), ask: parseCertificate(hierarchy.ask.der), ark, trustedRoots: [ark] };
};
const good = evidenceOf(digests[0]!.get(300)!);
const bad = evidenceOf(randomBytes(48));

function perOp(fn: () => void, count: number): number[] {
  fn();
  const out: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    for (let i = 0; i < count; i++) fn();
    out.push((performance.now() - t) / count);
  }
  return out;
}

const report = perOp(() => {
  if (!verifyReport(good, { at: trust.at }).verified) throw new Error("report");
}, N);
const cold: number[] = [];
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  const v = verifySnpEvidence({ report: good, endorsements: release }, { policy, trust, cache: new LaunchDigestCache() });
  cold.push(performance.now() - t);
  if (!v.verified) throw new Error(`evidence: ${v.failures.join(", ")}`);
}
const cache = new LaunchDigestCache();
const warm = perOp(() => {
  if (!verifySnpEvidence({ report: good, endorsements: release }, { policy, trust, cache }).verified) throw new Error("evidence");
}, N);
function diagnosis(others: readonly FoundEndorsement[]): { times: number[]; summary: string } {
  const times: number[] = [];
  let summary = "";
  for (let r = 0; r < Math.min(RUNS, 5); r++) {
    const t = performance.now();
    const v = verifySnpEvidence({ report: bad, endorsements: [...release, ...others] }, { policy, trust, cache });
    times.push(performance.now() - t);
    if (v.verified || v.diagnosis === undefined) throw new Error("the mismatch was not diagnosed");
    summary = `${v.endorsements.length} endorsements, ${v.diagnosis.searched} launch digests recomputed`;
  }
  return { times, summary };
}
const accepted = verifySnpEvidence({ report: good, endorsements: release }, { policy, trust, cache }).endorsements.filter((e) => e.accepted).length;
const seriesDiagnosis = diagnosis(series);
const distinctDiagnosis = diagnosis(distinct);
log.close();
rmSync(dir, { recursive: true, force: true });

const f = (ms: number) => (ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`);
const base = median(report);
process.stdout.write(
  [
    `Example release (Debian OVMF) endorsed and logged in an embedded log; policy: 1-512 vCPUs × 5 vCPU models (QEMU) + ec2 + gce × guest features 0x1, 0x21 (${7168} launch digests); MEASUREMENT = QEMU EPYC-Milan 300 vCPUs 0x21; median of ${RUNS} passes; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
    "",
    "| measurement | per verification (median) | vs one report verification |",
    "|---|---|---|",
    `| one report verification (\`verifyReport\`, chain each time) | ${f(base)} | 1x |`,
    `| **verify evidence, warm** (the report, ${accepted} endorsement${accepted === 1 ? "" : "s"} the policy takes (statement, SET, checkpoint, inclusion proof), the lookup) | ${f(median(warm))} | **${(median(warm) / base).toFixed(2)}x** |`,
    `| verify evidence, first report (launch-digest tables computed) | ${f(median(cold))} | ${(median(cold) / base).toFixed(1)}x |`,
    `| diagnose a MEASUREMENT nothing produces: ${RELEASES} releases sharing a firmware (${seriesDiagnosis.summary}) | ${f(median(seriesDiagnosis.times))} | |`,
    `| the same, each of the ${RELEASES} releases with a firmware of its own (${distinctDiagnosis.summary}) | ${f(median(distinctDiagnosis.times))} | |`,
    "",
  ].join("\n"),
);
