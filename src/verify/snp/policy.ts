import { SnpPolicy } from "../../schema/snp-policy.js";
import { toHex } from "../../util/bytes.js";
import { decodeGuestPolicy, PLATFORM_INFO_BITS, platformInfoNames, type PlatformInfoBit } from "./abi/fields.js";
import type { Product } from "./abi/product.js";
import type { AttestationReport } from "./abi/report.js";
import { decodeTcb, formatTcb, tcbShortfall, type TcbComponent } from "./abi/tcb.js";
import { failed, passed, skipped, type SnpCheck, type SnpCheckResult } from "./checks.js";

/** The policy applied when none is given: only the guest-policy defaults (no debug, no migration agent). */
export const DEFAULT_POLICY: SnpPolicy = SnpPolicy.parse({ version: 1 });

const versionText = (v: { major: number; minor: number; build?: number }) => `${v.major}.${v.minor}${v.build !== undefined ? `.${v.build}` : ""}`;
const parseAbi = (text: string) => {
  const [major, minor] = text.split(".").map(Number) as [number, number];
  return { major, minor };
};
const atLeast = (a: { major: number; minor: number }, b: { major: number; minor: number }) => a.major > b.major || (a.major === b.major && a.minor >= b.minor);

function oneOf(check: SnpCheck, allowed: readonly string[] | undefined, actual: string): SnpCheckResult {
  if (allowed === undefined) return skipped(check, "not constrained by the policy");
  return allowed.includes(actual) ? passed(check, actual) : failed(check, allowed.length === 1 ? allowed[0]! : `one of ${allowed.join(", ")}`, actual);
}

function exact(check: SnpCheck, expected: string | undefined, actual: string): SnpCheckResult {
  if (expected === undefined) return skipped(check, "not constrained by the policy");
  return expected === actual ? passed(check, actual) : failed(check, expected, actual);
}

function minimum(check: SnpCheck, least: number | undefined, actual: number): SnpCheckResult {
  if (least === undefined) return skipped(check, "not constrained by the policy");
  return actual >= least ? passed(check, String(actual), `at least ${least}`) : failed(check, `at least ${least}`, String(actual));
}

function platformBit(name: string): number {
  return name.startsWith("bit ") ? Number(name.slice(4)) : PLATFORM_INFO_BITS[name as PlatformInfoBit];
}

/** Evaluates every policy member against the report; each member is one check. */
export function policyChecks(report: AttestationReport, product: Product | undefined, policy: SnpPolicy): SnpCheckResult[] {
  const checks: SnpCheckResult[] = [];
  const p = policy;

  checks.push(minimum("POLICY_REPORT_VERSION", p.minimumReportVersion, report.version));
  checks.push(oneOf("POLICY_PRODUCT", p.products, product ?? "unknown"));
  checks.push(oneOf("POLICY_SIGNER", p.signers, report.signerInfo.signingKey));
  checks.push(oneOf("POLICY_MEASUREMENT", p.measurements, toHex(report.measurement)));
  checks.push(exact("POLICY_HOST_DATA", p.hostData, toHex(report.hostData)));
  checks.push(exact("POLICY_REPORT_DATA", p.reportData, toHex(report.reportData)));
  checks.push(exact("POLICY_FAMILY_ID", p.familyId, toHex(report.familyId)));
  checks.push(exact("POLICY_IMAGE_ID", p.imageId, toHex(report.imageId)));
  checks.push(exact("POLICY_REPORT_ID", p.reportId, toHex(report.reportId)));
  checks.push(exact("POLICY_REPORT_ID_MA", p.reportIdMa, toHex(report.reportIdMa)));
  checks.push(oneOf("POLICY_ID_KEY", p.idKeyDigests, toHex(report.idKeyDigest)));
  if (p.authorKeyDigests !== undefined && !report.signerInfo.authorKeyEn) {
    checks.push(failed("POLICY_AUTHOR_KEY", `AUTHOR_KEY_EN with one of ${p.authorKeyDigests.join(", ")}`, "AUTHOR_KEY_EN is 0 (no author key)"));
  } else checks.push(oneOf("POLICY_AUTHOR_KEY", p.authorKeyDigests, toHex(report.authorKeyDigest)));
  checks.push(minimum("POLICY_GUEST_SVN", p.minimumGuestSvn, report.guestSvn));
  // A guest's own request carries VMPL 0..3; anything else is a host-requested report, which says
  // nothing about what the guest asked for. Refused even when the policy names no VMPLs.
  if (p.vmpls === undefined) {
    checks.push(report.vmpl <= 3 ? passed("POLICY_VMPL", String(report.vmpl), "0..3 (a guest's request)") : failed("POLICY_VMPL", "0..3 (a guest's request)", `0x${report.vmpl.toString(16)}`, "not a guest-requested report"));
  } else checks.push(oneOf("POLICY_VMPL", p.vmpls.map(String), String(report.vmpl)));

  // POLICY_GUEST_POLICY: go-sev-guest's semantics (validateGuestPolicy).
  {
    const g = decodeGuestPolicy(report.policy);
    const gp = p.guestPolicy;
    const problems: string[] = [];
    if (gp.minimumAbi !== undefined && !atLeast({ major: g.abiMajor, minor: g.abiMinor }, parseAbi(gp.minimumAbi))) problems.push(`ABI ${g.abiMajor}.${g.abiMinor} below ${gp.minimumAbi}`);
    const permissions: [keyof typeof gp & keyof typeof g, string][] = [["smt", "SMT"], ["migrateMa", "MIGRATE_MA"], ["debug", "DEBUG"], ["cxlAllow", "CXL_ALLOW"]];
    for (const [field, name] of permissions) if (g[field] && !gp[field]) problems.push(`${name} is set but not allowed`);
    const requirements: [keyof typeof gp & keyof typeof g, string][] = [["singleSocket", "SINGLE_SOCKET"], ["memAes256Xts", "MEM_AES_256_XTS"], ["raplDis", "RAPL_DIS"], ["ciphertextHiding", "CIPHERTEXT_HIDING_DRAM"], ["pageSwapDisable", "PAGE_SWAP_DISABLE"]];
    for (const [field, name] of requirements) if (gp[field] && !g[field]) problems.push(`${name} is required but not set`);
    const allowedText = permissions.filter(([f]) => gp[f]).map(([, n]) => n);
    const expected = `${gp.minimumAbi ? `ABI ≥ ${gp.minimumAbi}, ` : ""}may set ${allowedText.join(", ") || "none of SMT/MIGRATE_MA/DEBUG/CXL_ALLOW"}${requirements.some(([f]) => gp[f]) ? `, must set ${requirements.filter(([f]) => gp[f]).map(([, n]) => n).join(", ")}` : ""}`;
    const actual = `0x${report.policy.toString(16)} (ABI ${g.abiMajor}.${g.abiMinor}${[...permissions, ...requirements].filter(([f]) => g[f]).map(([, n]) => `, ${n}`).join("")})`;
    checks.push(problems.length ? failed("POLICY_GUEST_POLICY", expected, actual, problems.join("; ")) : passed("POLICY_GUEST_POLICY", actual, expected));
  }

  // Minimum TCBs per product.
  const tcbCheck = (check: SnpCheck, which: "reported" | "current" | "committed" | "launch", raw: bigint) => {
    const minimum = p.minimumTcb?.[which];
    if (minimum === undefined) return skipped(check, "not constrained by the policy");
    if (product === undefined) return failed(check, "a known product", "unknown product: its TCB layout cannot be read");
    const wanted = minimum[product] as Partial<Record<TcbComponent, number>> | undefined;
    // A policy that sets minimums for some products and not this one did not consider it: refuse
    // rather than let it through unconstrained. `"Genoa": {}` says "no minimum" on purpose.
    if (wanted === undefined) return failed(check, `a minimum for ${product}`, `minimums only for ${Object.keys(minimum).join(", ")}`, `the policy sets no ${which} TCB minimum for ${product}`);
    const tcb = decodeTcb(raw, product);
    const low = tcbShortfall(tcb, wanted, product);
    const expected = `${product} at least ${Object.entries(wanted).map(([c, v]) => `${c} ${v}`).join(", ")}`;
    return low.length ? failed(check, expected, formatTcb(tcb), `below the minimum in ${low.join(", ")}`) : passed(check, formatTcb(tcb), expected);
  };
  checks.push(tcbCheck("POLICY_TCB_REPORTED", "reported", report.reportedTcb));
  checks.push(tcbCheck("POLICY_TCB_CURRENT", "current", report.currentTcb));
  checks.push(tcbCheck("POLICY_TCB_COMMITTED", "committed", report.committedTcb));
  checks.push(tcbCheck("POLICY_TCB_LAUNCH", "launch", report.launchTcb));

  // Firmware version and build (current).
  {
    const fw = p.minimumFirmware;
    const cur = report.currentVersion;
    if (fw === undefined || (fw.version === undefined && fw.build === undefined)) checks.push(skipped("POLICY_FIRMWARE", "not constrained by the policy"));
    else {
      const versionOk = fw.version === undefined || atLeast(cur, parseAbi(fw.version));
      // As go-sev-guest's MinimumBuild and MinimumVersion: two independent minimums.
      const buildOk = fw.build === undefined || cur.build >= fw.build;
      const expected = [fw.version !== undefined ? `version at least ${fw.version}` : "", fw.build !== undefined ? `build at least ${fw.build}` : ""].filter(Boolean).join(", ");
      checks.push(versionOk && buildOk ? passed("POLICY_FIRMWARE", versionText(cur), expected) : failed("POLICY_FIRMWARE", expected, versionText(cur)));
    }
  }
  {
    const same = report.committedTcb === report.currentTcb && versionText(report.committedVersion) === versionText(report.currentVersion);
    if (p.permitProvisionalFirmware) checks.push(skipped("POLICY_PROVISIONAL_FIRMWARE", same ? "committed equals current" : "provisional firmware permitted by the policy"));
    else checks.push(same ? passed("POLICY_PROVISIONAL_FIRMWARE", `committed ${versionText(report.committedVersion)} = current`) : failed("POLICY_PROVISIONAL_FIRMWARE", `committed ${versionText(report.committedVersion)}, TCB 0x${report.committedTcb.toString(16)}`, `current ${versionText(report.currentVersion)}, TCB 0x${report.currentTcb.toString(16)}`));
  }

  // PLATFORM_INFO
  {
    const pi = p.platformInfo;
    const raw = report.platformInfo;
    const actual = `0x${raw.toString(16)} (${platformInfoNames(raw).join(", ") || "none"})`;
    if (pi === undefined) checks.push(skipped("POLICY_PLATFORM_INFO", "not constrained by the policy"));
    else {
      const problems: string[] = [];
      if (pi.allowed !== undefined) {
        const mask = pi.allowed.reduce((m, n) => m | (1n << BigInt(platformBit(n))), 0n);
        const extra = raw & ~mask;
        if (extra !== 0n) problems.push(`not allowed: ${platformInfoNames(extra).join(", ")}`);
      }
      for (const name of pi.required ?? []) if (((raw >> BigInt(platformBit(name))) & 1n) === 0n) problems.push(`${name} required`);
      const expected = [pi.allowed ? `only ${pi.allowed.join(", ") || "no bits"}` : "", pi.required?.length ? `with ${pi.required.join(", ")}` : ""].filter(Boolean).join(", ");
      checks.push(problems.length ? failed("POLICY_PLATFORM_INFO", expected, actual, problems.join("; ")) : passed("POLICY_PLATFORM_INFO", actual, expected));
    }
  }

  // Mitigation vectors (v5): every required bit set.
  const mitigation = (check: SnpCheck, wantedHex: string | undefined, actual: bigint | undefined) => {
    if (wantedHex === undefined) return skipped(check, "not constrained by the policy");
    const wanted = BigInt(wantedHex);
    const have = actual ?? 0n;
    const missing = wanted & ~have;
    const shown = actual === undefined ? `none (a version ${report.version} report)` : `0x${have.toString(16)}`;
    return missing === 0n ? passed(check, shown, `bits 0x${wanted.toString(16)}`) : failed(check, `bits 0x${wanted.toString(16)} set`, shown, `missing 0x${missing.toString(16)}`);
  };
  checks.push(mitigation("POLICY_MITIGATION_LAUNCH", p.minimumMitigationVector?.launch, report.launchMitVector));
  checks.push(mitigation("POLICY_MITIGATION_CURRENT", p.minimumMitigationVector?.current, report.currentMitVector));
  checks.push(oneOf("POLICY_CHIP_ID", p.chipIds, toHex(report.chipId)));
  return checks;
}
