import { z } from "zod";

const hex = (bytes: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), `expected ${bytes * 2} hex digits`).transform((s) => s.toLowerCase());
const Spl = z.number().int().min(0).max(255);
const U64Hex = z.string().regex(/^0x[0-9a-fA-F]{1,16}$/, "expected a 0x-prefixed 64-bit hex number");
const AbiVersion = z.string().regex(/^\d{1,3}\.\d{1,3}$/, "expected MAJOR.MINOR, e.g. 1.55");

const MilanGenoaTcb = z.object({ bl: Spl.optional(), tee: Spl.optional(), snp: Spl.optional(), ucode: Spl.optional() }).strict();
const TurinTcb = z.object({ fmc: Spl.optional(), bl: Spl.optional(), tee: Spl.optional(), snp: Spl.optional(), ucode: Spl.optional() }).strict();
const PerProductTcb = z
  .object({ Milan: MilanGenoaTcb.optional(), Genoa: MilanGenoaTcb.optional(), Turin: TurinTcb.optional() })
  .strict()
  .refine((m) => Object.keys(m).length > 0, "name at least one product (an empty object would constrain nothing)")
  .describe("minimum security patch level per component, per product; a report of a product not listed fails the check (list it with {} for no minimum)");

const PLATFORM_BITS = ["SMT_EN", "TSME_EN", "ECC_EN", "RAPL_DIS", "CIPHERTEXT_HIDING_DRAM_EN", "ALIAS_CHECK_COMPLETE", "SEV_TIO_EN"] as const;
const PlatformBit = z.union([z.enum(PLATFORM_BITS), z.string().regex(/^bit (?:[0-9]|[1-5][0-9]|6[0-3])$/, "a PLATFORM_INFO bit name or 'bit N'")]);

/**
 * What an SEV-SNP report must satisfy beyond its signature and certificate chain. Every member is
 * optional; each one given becomes one named check. Without a policy file the defaults below still
 * apply: debug and the migration agent are not allowed, and VMPL must be 0..3.
 */
export const SnpPolicy = z
  .object({
    version: z.literal(1),
    minimumReportVersion: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(5)]).optional(),
    products: z.array(z.enum(["Milan", "Genoa", "Turin"])).min(1).optional().describe("allowed products"),
    signers: z.array(z.enum(["VCEK", "VLEK"])).min(1).optional().describe("allowed signing keys"),
    measurements: z.array(hex(48)).min(1).optional().describe("MEASUREMENT must be one of these (e.g. the endorsed launch digests)"),
    hostData: hex(32).optional(),
    reportData: hex(64).optional(),
    familyId: hex(16).optional(),
    imageId: hex(16).optional(),
    reportId: hex(32).optional(),
    reportIdMa: hex(32).optional(),
    idKeyDigests: z.array(hex(48)).min(1).optional().describe("ID_KEY_DIGEST must be one of these"),
    authorKeyDigests: z.array(hex(48)).min(1).optional().describe("AUTHOR_KEY_DIGEST must be one of these (and AUTHOR_KEY_EN set)"),
    minimumGuestSvn: z.number().int().min(0).max(0xffffffff).optional(),
    vmpls: z.array(z.number().int().min(0).max(3)).min(1).optional().describe("allowed VMPLs (default: 0..3, a guest's own request)"),
    guestPolicy: z
      .object({
        minimumAbi: AbiVersion.optional(),
        smt: z.boolean().default(true).describe("SMT may be allowed"),
        migrateMa: z.boolean().default(false).describe("a migration agent may be associated"),
        debug: z.boolean().default(false).describe("debugging may be allowed"),
        cxlAllow: z.boolean().default(true).describe("CXL may be populated"),
        singleSocket: z.boolean().default(false).describe("require SINGLE_SOCKET"),
        memAes256Xts: z.boolean().default(false).describe("require AES-256-XTS memory encryption"),
        raplDis: z.boolean().default(false).describe("require RAPL disabled"),
        ciphertextHiding: z.boolean().default(false).describe("require ciphertext hiding for DRAM"),
        pageSwapDisable: z.boolean().default(false).describe("require page swap disabled"),
      })
      .strict()
      .default({ smt: true, migrateMa: false, debug: false, cxlAllow: true, singleSocket: false, memAes256Xts: false, raplDis: false, ciphertextHiding: false, pageSwapDisable: false })
      .describe("permissions (smt, migrateMa, debug, cxlAllow: the report may set the bit only if true) and requirements (the rest: the report must set the bit if true)"),
    minimumTcb: z
      .object({ reported: PerProductTcb.optional(), current: PerProductTcb.optional(), committed: PerProductTcb.optional(), launch: PerProductTcb.optional() })
      .strict()
      .optional(),
    minimumFirmware: z.object({ version: AbiVersion.optional(), build: z.number().int().min(0).max(255).optional() }).strict().optional().describe("the current firmware's MAJOR.MINOR and build"),
    permitProvisionalFirmware: z.boolean().default(true).describe("false: the committed firmware and TCB must equal the current ones"),
    platformInfo: z
      .object({ allowed: z.array(PlatformBit).optional().describe("no other bit may be set"), required: z.array(PlatformBit).optional() })
      .strict()
      .optional(),
    minimumMitigationVector: z.object({ launch: U64Hex.optional(), current: U64Hex.optional() }).strict().optional().describe("every bit given must be set (v5 reports; earlier versions have none)"),
    chipIds: z.array(hex(64)).min(1).optional().describe("CHIP_ID must be one of these"),
  })
  .strict()
  .describe("SEV-SNP report policy for `reftrail verify report --policy`");
export type SnpPolicy = z.output<typeof SnpPolicy>;
