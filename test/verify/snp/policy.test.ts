import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { SnpPolicy } from "../../../src/schema/snp-policy.js";
import { toHex } from "../../../src/util/bytes.js";
import { parseReport } from "../../../src/verify/snp/abi/report.js";
import { SNP_CHECKS, type SnpCheck } from "../../../src/verify/snp/checks.js";
import { DEFAULT_POLICY } from "../../../src/verify/snp/policy.js";
import { verifyReport, type ReportVerdict } from "../../../src/verify/snp/verifier.js";
import { parseCertificate } from "../../../src/verify/x509/certificate.js";
import { buildReport, milanTcb, testPki, turinTcb, type ReportFields, type TestPki } from "../../helpers/snp-pki.js";

/*
 * One good report per product under a test PKI and a policy that names every member; each case
 * then changes exactly one report field (re-signed) or one policy member and must fail exactly
 * one policy check, every other check still passing.
 */

type PolicyInput = z.input<typeof SnpPolicy>;
type Product = "Milan" | "Turin";

/** Deterministic, distinct filler bytes. */
const fill = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7 + 1) & 0xff);
/** A copy of `bytes` with one bit flipped. */
const flip = (bytes: Uint8Array, index = 0) => {
  const copy = Uint8Array.from(bytes);
  copy[index]! ^= 0x01;
  return copy;
};

const G = { SMT: 1n << 16n, RESERVED_ONE: 1n << 17n, MIGRATE_MA: 1n << 18n, DEBUG: 1n << 19n, SINGLE_SOCKET: 1n << 20n, CXL_ALLOW: 1n << 21n, MEM_AES_256_XTS: 1n << 22n, RAPL_DIS: 1n << 23n, CIPHERTEXT_HIDING_DRAM: 1n << 24n, PAGE_SWAP_DISABLE: 1n << 25n } as const;
const abi = (major: number, minor: number) => (BigInt(major) << 8n) | BigInt(minor);
/** ABI 1.55, SMT and CXL_ALLOW permitted, every requirement bit set. */
const GOOD_GUEST_POLICY = abi(1, 55) | G.RESERVED_ONE | G.SMT | G.CXL_ALLOW | G.SINGLE_SOCKET | G.MEM_AES_256_XTS | G.RAPL_DIS | G.CIPHERTEXT_HIDING_DRAM | G.PAGE_SWAP_DISABLE;

const measurement = fill(48, 1);
const otherMeasurement = fill(48, 2);
const hostData = fill(32, 3);
const reportData = fill(64, 4);
const familyId = fill(16, 5);
const imageId = fill(16, 6);
const reportId = fill(32, 7);
const reportIdMa = fill(32, 8);
const idKeyDigest = fill(48, 9);
const authorKeyDigest = fill(48, 10);
const otherAuthorKeyDigest = fill(48, 11);
const milanChip = fill(64, 12);
const turinHwId = fill(8, 13);
const turinChip = Uint8Array.from([...turinHwId, ...new Uint8Array(56)]);

const MILAN_TCB = milanTcb(3, 0, 8, 115);
const TURIN_TCB = turinTcb(1, 2, 0, 3, 72);

const common: ReportFields = {
  version: 5,
  guestSvn: 7,
  policy: GOOD_GUEST_POLICY,
  familyId,
  imageId,
  vmpl: 1,
  platformInfo: 0x25n, // SMT_EN, ECC_EN, ALIAS_CHECK_COMPLETE
  signerInfo: 0x1, // AUTHOR_KEY_EN, SIGNING_KEY 0 (VCEK)
  reportData,
  measurement,
  hostData,
  idKeyDigest,
  authorKeyDigest,
  reportId,
  reportIdMa,
  currentVersion: [4, 55, 1],
  committedVersion: [4, 55, 1],
  launchMitVector: 0x7n,
  currentMitVector: 0x7n,
};
const GOOD: Record<Product, ReportFields> = {
  Milan: { ...common, cpuid: [0x19, 0x01, 0x01], chipId: milanChip, currentTcb: MILAN_TCB, reportedTcb: MILAN_TCB, committedTcb: MILAN_TCB, launchTcb: MILAN_TCB },
  Turin: { ...common, cpuid: [0x1a, 0x02, 0x01], chipId: turinChip, currentTcb: TURIN_TCB, reportedTcb: TURIN_TCB, committedTcb: TURIN_TCB, launchTcb: TURIN_TCB },
};

/** A policy naming every member, met by both good reports (minimums equal to the good values, so each bound is inclusive). */
function fullPolicy(): PolicyInput {
  return {
    version: 1,
    minimumReportVersion: 5,
    products: ["Milan", "Turin"],
    signers: ["VCEK"],
    measurements: [toHex(otherMeasurement), toHex(measurement).toUpperCase()],
    hostData: toHex(hostData),
    reportData: toHex(reportData),
    familyId: toHex(familyId),
    imageId: toHex(imageId),
    reportId: toHex(reportId),
    reportIdMa: toHex(reportIdMa),
    idKeyDigests: [toHex(idKeyDigest)],
    authorKeyDigests: [toHex(otherAuthorKeyDigest), toHex(authorKeyDigest)],
    minimumGuestSvn: 7,
    vmpls: [0, 1],
    guestPolicy: { minimumAbi: "1.55", smt: true, migrateMa: false, debug: false, cxlAllow: true, singleSocket: true, memAes256Xts: true, raplDis: true, ciphertextHiding: true, pageSwapDisable: true },
    minimumTcb: {
      reported: { Milan: { bl: 3, tee: 0, snp: 8, ucode: 115 }, Genoa: { bl: 9, tee: 9, snp: 99, ucode: 99 }, Turin: { fmc: 1, bl: 2, tee: 0, snp: 3, ucode: 72 } },
      current: { Milan: { bl: 3, tee: 0, snp: 8, ucode: 115 }, Genoa: { bl: 9, snp: 99 }, Turin: { fmc: 1, bl: 2, tee: 0, snp: 3, ucode: 72 } },
      committed: { Milan: { bl: 3, tee: 0, snp: 8, ucode: 100 }, Genoa: { snp: 99 }, Turin: { fmc: 1, bl: 2, snp: 3, ucode: 70 } },
      launch: { Milan: { bl: 3, snp: 8, ucode: 100 }, Genoa: { ucode: 99 }, Turin: { fmc: 1, snp: 3, ucode: 72 } },
    },
    minimumFirmware: { version: "1.55", build: 4 },
    permitProvisionalFirmware: false,
    platformInfo: { allowed: ["SMT_EN", "TSME_EN", "ECC_EN", "ALIAS_CHECK_COMPLETE"], required: ["ECC_EN", "ALIAS_CHECK_COMPLETE"] },
    minimumMitigationVector: { launch: "0x5", current: "0x3" },
    chipIds: [toHex(milanChip), toHex(turinChip)],
  };
}

interface Hierarchy {
  readonly pki: TestPki;
  readonly vek: ReturnType<TestPki["vek"]>;
  readonly certs: { vek: ReturnType<typeof parseCertificate>; ask: ReturnType<typeof parseCertificate>; ark: ReturnType<typeof parseCertificate> };
}

function hierarchy(product: Product): Hierarchy {
  const pki = testPki(product, "ASK", `policy-${product.toLowerCase()}`);
  const vek =
    product === "Milan"
      ? pki.vek({ tcb: { bl: 3, tee: 0, snp: 8, ucode: 115 }, hwId: milanChip })
      : pki.vek({ tcb: { fmc: 1, bl: 2, tee: 0, snp: 3, ucode: 72 }, hwId: turinHwId });
  const pem = (text: string) => parseCertificate(new Uint8Array(Buffer.from(text.replace(/-----[A-Z ]+-----|\s+/g, ""), "base64")));
  return { pki, vek, certs: { vek: parseCertificate(vek.certDer), ask: pem(pki.askPem), ark: pem(pki.arkPem) } };
}

const PKIS: Record<Product, Hierarchy> = { Milan: hierarchy("Milan"), Turin: hierarchy("Turin") };
afterAll(() => {
  for (const h of Object.values(PKIS)) rmSync(h.pki.dir, { recursive: true, force: true });
});
const at = BigInt(Date.now()) * 1_000_000n;

/** `policy`: "none" verifies without one (DEFAULT_POLICY applies). */
function verdict(product: Product, change: Partial<ReportFields> = {}, policy: PolicyInput | "none" = fullPolicy()): ReportVerdict {
  const { vek, certs } = PKIS[product];
  const report = parseReport(buildReport({ ...GOOD[product], ...change }, vek.privateKey));
  return verifyReport(
    { report, vek: certs.vek, ask: certs.ask, ark: certs.ark, trustedRoots: [certs.ark] },
    { at, ...(policy === "none" ? {} : { policy: SnpPolicy.parse(policy) }) },
  );
}

/** The full policy with one change applied. */
function policyWith(change: (p: PolicyInput) => void): PolicyInput {
  const p = fullPolicy();
  change(p);
  return p;
}

const POLICY_CHECKS = (Object.keys(SNP_CHECKS) as SnpCheck[]).filter((c) => c.startsWith("POLICY_"));
const status = (v: ReportVerdict, check: SnpCheck) => v.checks.find((c) => c.check === check)?.status;

describe("the good reports meet the full policy", () => {
  for (const product of ["Milan", "Turin"] as const) {
    it(`${product}: verified, every check passed (no CRL given)`, () => {
      const v = verdict(product);
      expect(v.failures).toEqual([]);
      expect(v.verified).toBe(true);
      expect(v.product).toBe(product);
      expect(v.signer).toBe("VCEK");
      // One entry per named check, in the order of SNP_CHECKS (HCL_RUNTIME_DATA only for Azure HCL reports).
      expect(v.checks.map((c) => c.check)).toEqual(Object.keys(SNP_CHECKS).filter((c) => c !== "HCL_RUNTIME_DATA"));
      for (const c of v.checks) expect({ check: c.check, status: c.status }).toEqual({ check: c.check, status: c.check === "CRL" ? "skipped" : "passed" });
      for (const check of POLICY_CHECKS) expect(status(v, check), check).toBe("passed");
    });
  }

  it("the policy names every member of the schema", () => {
    const members = Object.keys((SnpPolicy as unknown as { shape: Record<string, unknown> }).shape);
    expect(Object.keys(fullPolicy()).sort()).toEqual(members.sort());
  });
});

interface Case {
  readonly name: string;
  readonly product?: Product;
  readonly report?: Partial<ReportFields>;
  readonly policy?: (p: PolicyInput) => void;
}

/** Each case fails exactly `check`. */
const CASES: Record<Extract<SnpCheck, `POLICY_${string}`>, readonly Case[]> = {
  POLICY_REPORT_VERSION: [
    // A report below v5 has no mitigation vectors, so the vector minimums (which it could never meet) are taken out as well.
    { name: "a v3 report under minimum 5", report: { version: 3 }, policy: (p) => delete p.minimumMitigationVector },
    { name: "a v2 report (no CPUID: product from the VCEK) under minimum 3", report: { version: 2 }, policy: (p) => ((p.minimumReportVersion = 3), delete p.minimumMitigationVector) },
  ],
  POLICY_PRODUCT: [
    { name: "Milan not among the products", policy: (p) => (p.products = ["Genoa", "Turin"]) },
    { name: "Turin not among the products", product: "Turin", policy: (p) => (p.products = ["Milan", "Genoa"]) },
  ],
  POLICY_SIGNER: [{ name: "only VLEK allowed", policy: (p) => (p.signers = ["VLEK"]) }],
  POLICY_MEASUREMENT: [
    { name: "one MEASUREMENT bit flipped", report: { measurement: flip(measurement, 47) } },
    { name: "MEASUREMENT not among the endorsed ones", policy: (p) => (p.measurements = [toHex(otherMeasurement)]) },
  ],
  POLICY_HOST_DATA: [{ name: "HOST_DATA changed", report: { hostData: flip(hostData, 31) } }],
  POLICY_REPORT_DATA: [{ name: "REPORT_DATA changed", report: { reportData: flip(reportData, 63) } }],
  POLICY_FAMILY_ID: [{ name: "FAMILY_ID changed", report: { familyId: flip(familyId) } }],
  POLICY_IMAGE_ID: [{ name: "IMAGE_ID changed", report: { imageId: flip(imageId) } }],
  POLICY_REPORT_ID: [{ name: "REPORT_ID changed", report: { reportId: flip(reportId) } }],
  POLICY_REPORT_ID_MA: [{ name: "REPORT_ID_MA all 0xFF (no MA)", report: { reportIdMa: new Uint8Array(32).fill(0xff) } }],
  POLICY_ID_KEY: [{ name: "ID_KEY_DIGEST changed", report: { idKeyDigest: flip(idKeyDigest, 10) } }],
  POLICY_AUTHOR_KEY: [
    { name: "AUTHOR_KEY_DIGEST changed", report: { authorKeyDigest: flip(authorKeyDigest, 5) } },
    { name: "AUTHOR_KEY_EN clear (digest still a trusted one)", report: { signerInfo: 0 } },
  ],
  POLICY_GUEST_SVN: [
    { name: "GUEST_SVN one below the minimum", report: { guestSvn: 6 } },
    { name: "minimum GUEST_SVN raised", policy: (p) => (p.minimumGuestSvn = 8) },
  ],
  POLICY_VMPL: [{ name: "VMPL 2 not allowed", report: { vmpl: 2 } }],
  POLICY_GUEST_POLICY: [
    // Permissions: a bit set in the report that the policy does not allow.
    { name: "SMT set, not allowed", policy: (p) => (p.guestPolicy!.smt = false) },
    { name: "MIGRATE_MA set, not allowed", report: { policy: GOOD_GUEST_POLICY | G.MIGRATE_MA } },
    { name: "DEBUG set, not allowed", report: { policy: GOOD_GUEST_POLICY | G.DEBUG } },
    { name: "CXL_ALLOW set, not allowed", policy: (p) => (p.guestPolicy!.cxlAllow = false) },
    // Requirements: a bit the policy requires that the report does not set.
    { name: "SINGLE_SOCKET required, not set", report: { policy: GOOD_GUEST_POLICY & ~G.SINGLE_SOCKET } },
    { name: "MEM_AES_256_XTS required, not set", report: { policy: GOOD_GUEST_POLICY & ~G.MEM_AES_256_XTS } },
    { name: "RAPL_DIS required, not set", report: { policy: GOOD_GUEST_POLICY & ~G.RAPL_DIS } },
    { name: "CIPHERTEXT_HIDING_DRAM required, not set", report: { policy: GOOD_GUEST_POLICY & ~G.CIPHERTEXT_HIDING_DRAM } },
    { name: "PAGE_SWAP_DISABLE required, not set", report: { policy: GOOD_GUEST_POLICY & ~G.PAGE_SWAP_DISABLE } },
    // ABI.
    { name: "ABI 1.54 below minimum 1.55", report: { policy: (GOOD_GUEST_POLICY & ~0xffffn) | abi(1, 54) } },
    { name: "ABI 0.99 below minimum 1.55 (major first)", report: { policy: (GOOD_GUEST_POLICY & ~0xffffn) | abi(0, 99) } },
    { name: "minimum ABI 1.56", policy: (p) => (p.guestPolicy!.minimumAbi = "1.56") },
    { name: "minimum ABI 2.0", policy: (p) => (p.guestPolicy!.minimumAbi = "2.0") },
  ],
  POLICY_TCB_REPORTED: [
    // Component-wise: ucode 115 above the minimum 100 does not make up for snp 8 below 9 (as one integer the report would be larger).
    { name: "snp below the Milan minimum, ucode above", policy: (p) => (p.minimumTcb!.reported!.Milan = { bl: 3, tee: 0, snp: 9, ucode: 100 }) },
    { name: "fmc below the Turin minimum", product: "Turin", policy: (p) => (p.minimumTcb!.reported!.Turin = { fmc: 2, bl: 0, tee: 0, snp: 0, ucode: 0 }) },
  ],
  POLICY_TCB_CURRENT: [
    { name: "bl below the Milan minimum", policy: (p) => (p.minimumTcb!.current!.Milan = { bl: 4 }) },
    { name: "snp below the Turin minimum, ucode far above", product: "Turin", policy: (p) => (p.minimumTcb!.current!.Turin = { snp: 4, ucode: 1 }) },
  ],
  POLICY_TCB_COMMITTED: [{ name: "tee below the Milan minimum", policy: (p) => (p.minimumTcb!.committed!.Milan = { tee: 1 }) }],
  POLICY_TCB_LAUNCH: [
    { name: "Milan LAUNCH_TCB snp 7 with ucode 200 (a higher ucode does not compensate a lower snp)", report: { launchTcb: milanTcb(3, 0, 7, 200) } },
    { name: "Milan LAUNCH_TCB bl 2 with every other component higher", report: { launchTcb: milanTcb(2, 9, 99, 255) } },
    { name: "Turin LAUNCH_TCB fmc 0 with ucode 255", product: "Turin", report: { launchTcb: turinTcb(0, 2, 0, 3, 255) } },
    { name: "Turin LAUNCH_TCB snp 2 with fmc, bl, tee higher", product: "Turin", report: { launchTcb: turinTcb(9, 9, 9, 2, 72) } },
  ],
  POLICY_FIRMWARE: [
    { name: "minimum version 1.56", policy: (p) => (p.minimumFirmware!.version = "1.56") },
    { name: "minimum version 2.0", policy: (p) => (p.minimumFirmware!.version = "2.0") },
    { name: "minimum build 5", policy: (p) => (p.minimumFirmware!.build = 5) },
    { name: "minimum build 5 with a lower minimum version (independent minimums)", policy: (p) => (p.minimumFirmware = { version: "1.54", build: 5 }) },
  ],
  POLICY_PROVISIONAL_FIRMWARE: [
    { name: "committed firmware 1.55.3, current 1.55.4", report: { committedVersion: [3, 55, 1] } },
    { name: "committed firmware 1.54.4, current 1.55.4", report: { committedVersion: [4, 54, 1] } },
    { name: "committed TCB below current (still above the committed minimum)", report: { committedTcb: milanTcb(3, 0, 8, 110) } },
  ],
  POLICY_PLATFORM_INFO: [
    { name: "RAPL_DIS set, not allowed", report: { platformInfo: 0x25n | 0x8n } },
    { name: "SEV_TIO_EN set, not allowed", report: { platformInfo: 0x25n | 0x80n } },
    { name: "ECC_EN required, not set", report: { platformInfo: 0x21n } },
    { name: "ALIAS_CHECK_COMPLETE required, not set", report: { platformInfo: 0x05n } },
    { name: "unknown bit 6 set, allowed list without it", report: { platformInfo: 0x65n } },
    { name: "a required 'bit 6' not set", policy: (p) => (p.platformInfo!.required = ["ECC_EN", "bit 6"]) },
  ],
  POLICY_MITIGATION_LAUNCH: [
    { name: "LAUNCH_MIT_VECTOR lacks bit 0", report: { launchMitVector: 0x6n } },
    { name: "required launch vector bit 3 not set", policy: (p) => (p.minimumMitigationVector!.launch = "0xd") },
    { name: "required launch vector bit 63 not set", policy: (p) => (p.minimumMitigationVector!.launch = "0x8000000000000005") },
  ],
  POLICY_MITIGATION_CURRENT: [
    { name: "CURRENT_MIT_VECTOR lacks bit 1", report: { currentMitVector: 0x5n } },
    { name: "CURRENT_MIT_VECTOR zero", report: { currentMitVector: 0n } },
  ],
  POLICY_CHIP_ID: [
    { name: "CHIP_ID not allowed", policy: (p) => (p.chipIds = [toHex(flip(milanChip))]) },
    { name: "CHIP_ID masked (zero) by the host: the VCEK binding is skipped, the allow-list still fails", report: { chipId: new Uint8Array(64) } },
    { name: "Turin CHIP_ID not allowed", product: "Turin", policy: (p) => (p.chipIds = [toHex(milanChip)]) },
  ],
};

describe("one change fails exactly one policy check", () => {
  it("every policy check has a case", () => {
    expect(Object.keys(CASES).sort()).toEqual([...POLICY_CHECKS].sort());
  });

  for (const [check, cases] of Object.entries(CASES) as [SnpCheck, readonly Case[]][]) {
    describe(check, () => {
      for (const c of cases) {
        it(c.name, () => {
          const v = verdict(c.product ?? "Milan", c.report ?? {}, c.policy ? policyWith(c.policy) : fullPolicy());
          expect(v.failures).toEqual([check]);
          expect(v.verified).toBe(false);
          const result = v.checks.find((r) => r.check === check)!;
          expect(result.status).toBe("failed");
          expect(result.expected).toBeTruthy();
          expect(result.actual).toBeTruthy();
        });
      }
    });
  }
});

describe("changes that still pass", () => {
  const passes = (name: string, product: Product, report: Partial<ReportFields>, policy: PolicyInput) =>
    it(name, () => {
      const v = verdict(product, report, policy);
      expect(v.failures).toEqual([]);
      expect(v.verified).toBe(true);
    });

  passes("a report that does not set SMT or CXL_ALLOW (permissions are maxima)", "Milan", { policy: GOOD_GUEST_POLICY & ~(G.SMT | G.CXL_ALLOW) }, fullPolicy());
  passes("DEBUG and MIGRATE_MA allowed and set", "Milan", { policy: GOOD_GUEST_POLICY | G.DEBUG | G.MIGRATE_MA }, policyWith((p) => ((p.guestPolicy!.debug = true), (p.guestPolicy!.migrateMa = true))));
  passes("ABI 2.0 above minimum 1.55 (major first)", "Milan", { policy: (GOOD_GUEST_POLICY & ~0xffffn) | abi(2, 0) }, fullPolicy());
  passes("LAUNCH_TCB lower than the reported one, still at the launch minimum", "Milan", { launchTcb: milanTcb(3, 0, 8, 100) }, fullPolicy());
  passes("firmware 1.55.4 meets version 1.54 and build 4", "Milan", {}, policyWith((p) => (p.minimumFirmware = { version: "1.54", build: 4 })));
  passes("firmware 1.55.4 meets version 0.99 (not lexical)", "Milan", {}, policyWith((p) => (p.minimumFirmware = { version: "0.99" })));
  passes("mitigation vectors: a strict superset of the required bits", "Milan", { launchMitVector: 0xffn, currentMitVector: 0xffff_ffff_ffff_ffffn }, fullPolicy());
  passes("PLATFORM_INFO bit 6 set and allowed as 'bit 6'", "Turin", { platformInfo: 0x65n }, policyWith((p) => p.platformInfo!.allowed!.push("bit 6")));
  passes("PLATFORM_INFO bit 6 set, only `required` given (unknown bits are not rejected by themselves)", "Turin", { platformInfo: 0x65n }, policyWith((p) => delete p.platformInfo!.allowed));
  passes("provisional firmware permitted", "Milan", { committedVersion: [3, 55, 1], committedTcb: milanTcb(3, 0, 8, 110) }, policyWith((p) => (p.permitProvisionalFirmware = true)));

  it("a policy with TCB minimums for other products only fails that check (it did not consider this product)", () => {
    const v = verdict("Milan", {}, policyWith((p) => delete p.minimumTcb!.reported!.Milan));
    expect(v.failures).toEqual(["POLICY_TCB_REPORTED"]);
    expect(v.checks.find((c) => c.check === "POLICY_TCB_REPORTED")!.detail).toBe("the policy sets no reported TCB minimum for Milan");
  });

  it("the schema refuses a minimumTcb field naming no product, and accepts minimumReportVersion 2 to 5", () => {
    const refused = SnpPolicy.safeParse({ version: 1, minimumTcb: { reported: {} } });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(/at least one product/);
    for (const v of [2, 3, 4, 5]) expect(SnpPolicy.safeParse({ version: 1, minimumReportVersion: v }).success, `v${v}`).toBe(true);
    for (const v of [0, 1, 6]) expect(SnpPolicy.safeParse({ version: 1, minimumReportVersion: v }).success, `v${v}`).toBe(false);
  });

  it("an empty minimum for the product ('Milan': {}) says 'no minimum' on purpose and passes", () => {
    const v = verdict("Milan", {}, policyWith((p) => (p.minimumTcb!.reported!.Milan = {})));
    expect(v.failures).toEqual([]);
    expect(status(v, "POLICY_TCB_REPORTED")).toBe("passed");
  });

  it("provisional firmware permitted: the check is skipped", () => {
    const v = verdict("Milan", { committedVersion: [3, 55, 1] }, policyWith((p) => (p.permitProvisionalFirmware = true)));
    expect(status(v, "POLICY_PROVISIONAL_FIRMWARE")).toBe("skipped");
  });
});

describe("mitigation vectors and report versions", () => {
  it("a v3 report (no vectors) fails required launch and current vectors", () => {
    const v = verdict("Milan", { version: 3 }, policyWith((p) => delete p.minimumReportVersion));
    expect(v.failures).toEqual(["POLICY_MITIGATION_LAUNCH", "POLICY_MITIGATION_CURRENT"]);
    expect(v.checks.find((c) => c.check === "POLICY_MITIGATION_LAUNCH")!.actual).toContain("version 3");
  });

  it("a v3 report against the full policy fails the version and both vectors", () => {
    const v = verdict("Milan", { version: 3 });
    expect(v.failures).toEqual(["POLICY_REPORT_VERSION", "POLICY_MITIGATION_LAUNCH", "POLICY_MITIGATION_CURRENT"]);
  });

  it("a v3 report with the vector minimums at 0x0 passes them", () => {
    const v = verdict("Milan", { version: 3 }, policyWith((p) => ((p.minimumReportVersion = 3), (p.minimumMitigationVector = { launch: "0x0", current: "0x0" }))));
    expect(v.failures).toEqual([]);
  });
});

describe("DEFAULT_POLICY (no policy given)", () => {
  // The defaults: the guest policy (no debug, no migration agent) and a guest-requested VMPL.
  const ALWAYS = ["POLICY_GUEST_POLICY", "POLICY_VMPL"];
  const onlyGuestPolicy = (v: ReportVerdict) => {
    for (const check of POLICY_CHECKS) if (!ALWAYS.includes(check)) expect(status(v, check), check).toBe("skipped");
  };

  it("the good report passes; everything but the guest policy and the VMPL range is skipped", () => {
    const v = verdict("Milan", {}, "none");
    expect(v.failures).toEqual([]);
    expect(status(v, "POLICY_GUEST_POLICY")).toBe("passed");
    expect(status(v, "POLICY_VMPL")).toBe("passed");
    onlyGuestPolicy(v);
  });

  it("VMPL 0..3 pass; 4, 0x80000000 and 0xffffffff (host-requested reports, spec §1) fail POLICY_VMPL alone", () => {
    for (const vmpl of [0, 3]) expect(verdict("Milan", { vmpl }, "none").failures, `VMPL ${vmpl}`).toEqual([]);
    for (const vmpl of [4, 0x8000_0000, 0xffff_ffff]) {
      const v = verdict("Milan", { vmpl }, "none");
      expect(v.failures, `VMPL ${vmpl}`).toEqual(["POLICY_VMPL"]);
      expect(v.checks.find((c) => c.check === "POLICY_VMPL")!.actual).toBe(`0x${vmpl.toString(16)}`);
    }
  });

  it("a policy's vmpls list replaces the default range (and the schema cannot name a VMPL above 3)", () => {
    expect(verdict("Milan", { vmpl: 0xffff_ffff }, policyWith((p) => (p.vmpls = [0, 1, 2, 3]))).failures).toContain("POLICY_VMPL");
    expect(SnpPolicy.safeParse({ version: 1, vmpls: [4] }).success).toBe(false);
  });

  it("is the same as passing DEFAULT_POLICY or a bare { version: 1 }", () => {
    const { vek, certs } = PKIS.Milan;
    const report = parseReport(buildReport({ ...GOOD.Milan, policy: GOOD_GUEST_POLICY | G.DEBUG }, vek.privateKey));
    const evidence = { report, vek: certs.vek, ask: certs.ask, ark: certs.ark, trustedRoots: [certs.ark] };
    const none = verifyReport(evidence, { at });
    expect(verifyReport(evidence, { at, policy: DEFAULT_POLICY })).toEqual(none);
    expect(verifyReport(evidence, { at, policy: SnpPolicy.parse({ version: 1 }) })).toEqual(none);
  });

  for (const [name, bit] of [["DEBUG", G.DEBUG], ["MIGRATE_MA", G.MIGRATE_MA]] as const) {
    it(`${name} fails POLICY_GUEST_POLICY`, () => {
      const v = verdict("Milan", { policy: GOOD_GUEST_POLICY | bit }, "none");
      expect(v.failures).toEqual(["POLICY_GUEST_POLICY"]);
      expect(v.checks.find((c) => c.check === "POLICY_GUEST_POLICY")!.detail).toContain(name);
      onlyGuestPolicy(v);
    });
  }

  it("a report with nothing but SMT (0x30000), minimal ABI and no requirement bits passes", () => {
    const v = verdict("Milan", { policy: 0x30000n }, "none");
    expect(v.failures).toEqual([]);
  });
});
