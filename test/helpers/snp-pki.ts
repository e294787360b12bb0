import { execFileSync } from "node:child_process";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./tlog.js";
import { encodeReport, signReport } from "../../src/verify/snp/abi/report-encode.js";

/**
 * A test-only AMD-like PKI made by the openssl CLI (an implementation independent of reftrail's
 * parser): ARK (self-signed) → ASK or ASVK → VCEK or VLEK, RSA-PSS SHA-384 salt 48, with AMD's VCEK
 * extensions. Reports are then signed with the VCEK's key, so every field can be varied under a
 * valid signature.
 */
export interface TestVek {
  readonly certPem: string;
  readonly certDer: Uint8Array;
  readonly privateKey: KeyObject;
  readonly serialHex: string;
}

export interface TestPki {
  readonly dir: string;
  readonly arkPem: string;
  readonly askPem: string;
  readonly arkKeyFile: string;
  readonly arkCertFile: string;
  readonly askCertFile: string;
  readonly askKeyFile: string;
  /** Issues a VCEK/VLEK under this PKI's ASK. */
  vek(options: VekOptions): TestVek;
  /** Writes an ARK-signed CRL revoking the given certificate files (RSA-PSS unless `pss` is false); returns its path. */
  crl(revoke: readonly string[], hours?: number, pss?: boolean): string;
}

export interface VekOptions {
  readonly kind?: "VCEK" | "VLEK";
  readonly productName?: string;
  /** structVersion to write; null leaves the extension out. */
  readonly structVersion?: number | null;
  /** SPL extensions to include, by component. */
  readonly tcb: Partial<Record<"fmc" | "bl" | "tee" | "snp" | "ucode", number>>;
  /** hwID bytes (64, or 8 for Turin); omitted for a VLEK. */
  readonly hwId?: Uint8Array;
  readonly cspId?: string;
  readonly days?: number;
  readonly curve?: "secp384r1" | "prime256v1";
  readonly saltLength?: number;
  /** Further extension lines (openssl x509v3_config syntax). */
  readonly extraExtensions?: readonly string[];
}

const openssl = (args: string[], cwd: string) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
const PSS = (salt = 48) => ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt", `rsa_pss_saltlen:${salt}`];
const SPL_OIDS = { bl: "1.3.6.1.4.1.3704.1.3.1", tee: "1.3.6.1.4.1.3704.1.3.2", snp: "1.3.6.1.4.1.3704.1.3.3", ucode: "1.3.6.1.4.1.3704.1.3.8", fmc: "1.3.6.1.4.1.3704.1.3.9" } as const;

/** Extension lines (openssl x509v3_config syntax) replacing the CA defaults, to make malformed hierarchies. */
export interface PkiOptions {
  readonly arkExtensions?: readonly string[];
  readonly askExtensions?: readonly string[];
  /** Extension lines for the CRL (an openssl `crl_extensions` section). */
  readonly crlExtensions?: readonly string[];
}

const CA_EXTENSIONS = ["basicConstraints=critical,CA:true", "keyUsage=critical,keyCertSign,cRLSign"];

export function testPki(product: "Milan" | "Genoa" | "Turin", signer: "ASK" | "ASVK" = "ASK", name = "test", options: PkiOptions = {}): TestPki {
  const dir = tempDir(`snp-pki-${name}`);
  writeFileSync(join(dir, "ca.ext"), `${(options.askExtensions ?? CA_EXTENSIONS).join("\n")}\n`);
  writeFileSync(join(dir, "ark.cnf"), `[req]\ndistinguished_name=dn\nx509_extensions=ark\n[dn]\n[ark]\n${(options.arkExtensions ?? CA_EXTENSIONS).join("\n")}\n`);
  openssl(["req", "-x509", "-config", "ark.cnf", "-newkey", "rsa:2048", "-nodes", "-keyout", "ark.key", "-subj", `/O=Test Micro Devices/CN=ARK-${product}`, "-days", "3650", ...PSS(), "-set_serial", "0x10000", "-out", "ark.pem"], dir);
  const askCn = signer === "ASK" ? `SEV-${product}` : `SEV-VLEK-${product}`;
  openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "ask.key", "-subj", `/O=Test Micro Devices/CN=${askCn}`, "-out", "ask.csr"], dir);
  openssl(["x509", "-req", "-in", "ask.csr", "-CA", "ark.pem", "-CAkey", "ark.key", "-set_serial", "0x10001", "-days", "3650", ...PSS(), "-extfile", "ca.ext", "-out", "ask.pem"], dir);
  let n = 0;
  return {
    dir,
    arkPem: readFileSync(join(dir, "ark.pem"), "utf8"),
    askPem: readFileSync(join(dir, "ask.pem"), "utf8"),
    arkKeyFile: join(dir, "ark.key"),
    arkCertFile: join(dir, "ark.pem"),
    askCertFile: join(dir, "ask.pem"),
    askKeyFile: join(dir, "ask.key"),
    vek(o) {
      const id = `vek${n++}`;
      const kind = o.kind ?? "VCEK";
      const lines = [
        ...(o.structVersion === null ? [] : [`1.3.6.1.4.1.3704.1.1=ASN1:INTEGER:${o.structVersion ?? (product === "Turin" ? 1 : 0)}`]),
        `1.3.6.1.4.1.3704.1.2=ASN1:IA5STRING:${o.productName ?? (product === "Milan" ? "Milan-B0" : product)}`,
        ...Object.entries(o.tcb).map(([c, v]) => `${SPL_OIDS[c as keyof typeof SPL_OIDS]}=ASN1:INTEGER:${v}`),
        ...(o.hwId ? [`1.3.6.1.4.1.3704.1.4=DER:${Buffer.from(o.hwId).toString("hex")}`] : []),
        ...(o.cspId ? [`1.3.6.1.4.1.3704.1.5=ASN1:IA5STRING:${o.cspId}`] : []),
        ...(o.extraExtensions ?? []),
      ];
      writeFileSync(join(dir, `${id}.ext`), `${lines.join("\n")}\n`);
      openssl(["ecparam", "-name", o.curve ?? "secp384r1", "-genkey", "-noout", "-out", `${id}.key`], dir);
      openssl(["req", "-new", "-key", `${id}.key`, "-subj", `/O=Test Micro Devices/CN=SEV-${kind}`, "-out", `${id}.csr`], dir);
      openssl(["x509", "-req", "-in", `${id}.csr`, "-CA", "ask.pem", "-CAkey", "ask.key", "-set_serial", String(n), "-days", String(o.days ?? 2555), ...PSS(o.saltLength), "-extfile", `${id}.ext`, "-out", `${id}.pem`], dir);
      const certPem = readFileSync(join(dir, `${id}.pem`), "utf8");
      const certDer = new Uint8Array(openssl(["x509", "-in", `${id}.pem`, "-outform", "DER"], dir));
      return { certPem, certDer, privateKey: createPrivateKey(readFileSync(join(dir, `${id}.key`))), serialHex: n.toString(16).padStart(2, "0") };
    },
    crl(revoke, hours = 24, pss = true) {
      const ca = join(dir, `ca-${n++}`);
      mkdirSync(ca);
      writeFileSync(join(ca, "index.txt"), "");
      writeFileSync(join(ca, "crlnumber"), "01\n");
      writeFileSync(
        join(ca, "ca.cnf"),
        `[ca]\ndefault_ca=test\n[test]\ndatabase=${join(ca, "index.txt")}\ncrlnumber=${join(ca, "crlnumber")}\ndefault_md=sha384\ndefault_crl_hours=${hours}\n` +
          (options.crlExtensions ? `crl_extensions=crl_ext\n[crl_ext]\n${options.crlExtensions.join("\n")}\n` : ""),
      );
      for (const file of revoke) openssl(["ca", "-config", join(ca, "ca.cnf"), "-revoke", file, "-keyfile", "ark.key", "-cert", "ark.pem", ...PSS().slice(1)], dir);
      const sigopts = pss ? ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:48"] : [];
      openssl(["ca", "-config", join(ca, "ca.cnf"), "-gencrl", "-keyfile", "ark.key", "-cert", "ark.pem", "-crlhours", String(hours), "-md", "sha384", ...sigopts, "-out", join(ca, "crl.pem")], dir);
      return join(ca, "crl.pem");
    },
  };
}

/** Report fields a test sets; everything else is zero (or the usual constants). */
export interface ReportFields {
  version?: number;
  guestSvn?: number;
  policy?: bigint;
  familyId?: Uint8Array;
  imageId?: Uint8Array;
  vmpl?: number;
  signatureAlgo?: number;
  currentTcb?: bigint;
  platformInfo?: bigint;
  signerInfo?: number;
  reportData?: Uint8Array;
  measurement?: Uint8Array;
  hostData?: Uint8Array;
  idKeyDigest?: Uint8Array;
  authorKeyDigest?: Uint8Array;
  reportId?: Uint8Array;
  reportIdMa?: Uint8Array;
  reportedTcb?: bigint;
  cpuid?: [number, number, number];
  chipId?: Uint8Array;
  committedTcb?: bigint;
  currentVersion?: [number, number, number];
  committedVersion?: [number, number, number];
  launchTcb?: bigint;
  launchMitVector?: bigint;
  currentMitVector?: bigint;
}

/**
 * A report with these fields and the usual constants elsewhere, written by reftrail's encoder (the
 * inverse of parseReport, itself checked byte for byte against real reports) and signed with `key`.
 */
export function buildReport(f: ReportFields, key: KeyObject | undefined): Uint8Array {
  const version = f.version ?? 5;
  const zeros = (n: number) => new Uint8Array(n);
  const firmware = ([build, minor, major]: [number, number, number]) => ({ build, minor, major });
  const [family, model, stepping] = f.cpuid ?? [0x19, 0x01, 0x01];
  const unsigned = encodeReport({
    version,
    guestSvn: f.guestSvn ?? 0,
    policy: f.policy ?? 0x30000n,
    familyId: f.familyId ?? zeros(16),
    imageId: f.imageId ?? zeros(16),
    vmpl: f.vmpl ?? 0,
    signatureAlgo: f.signatureAlgo ?? 1,
    currentTcb: f.currentTcb ?? 0n,
    platformInfo: f.platformInfo ?? 0x25n,
    signerInfo: { raw: f.signerInfo ?? 0 },
    reportData: f.reportData ?? zeros(64),
    measurement: f.measurement ?? zeros(48),
    hostData: f.hostData ?? zeros(32),
    idKeyDigest: f.idKeyDigest ?? zeros(48),
    authorKeyDigest: f.authorKeyDigest ?? zeros(48),
    reportId: f.reportId ?? zeros(32),
    reportIdMa: f.reportIdMa ?? new Uint8Array(32).fill(0xff),
    reportedTcb: f.reportedTcb ?? 0n,
    cpuid: version >= 3 ? { family, model, stepping } : undefined,
    chipId: f.chipId ?? zeros(64),
    committedTcb: f.committedTcb ?? f.currentTcb ?? 0n,
    currentVersion: firmware(f.currentVersion ?? [1, 55, 1]),
    committedVersion: firmware(f.committedVersion ?? f.currentVersion ?? [1, 55, 1]),
    launchTcb: f.launchTcb ?? f.currentTcb ?? 0n,
    launchMitVector: version >= 5 ? (f.launchMitVector ?? 0n) : undefined,
    currentMitVector: version >= 5 ? (f.currentMitVector ?? 0n) : undefined,
  });
  return key ? signReport(unsigned, key) : unsigned;
}

/** Milan/Genoa TCB_VERSION bytes [bl, tee, 0, 0, 0, 0, snp, ucode]. */
export const milanTcb = (bl: number, tee: number, snp: number, ucode: number): bigint =>
  BigInt(bl) | (BigInt(tee) << 8n) | (BigInt(snp) << 48n) | (BigInt(ucode) << 56n);
/** Turin TCB_VERSION bytes [fmc, bl, tee, snp, 0, 0, 0, ucode]. */
export const turinTcb = (fmc: number, bl: number, tee: number, snp: number, ucode: number): bigint =>
  BigInt(fmc) | (BigInt(bl) << 8n) | (BigInt(tee) << 16n) | (BigInt(snp) << 24n) | (BigInt(ucode) << 56n);
