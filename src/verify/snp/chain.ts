import { createHash } from "node:crypto";
import { bytesEqual } from "../../util/bytes.js";
import { formatRfc3339 } from "../../util/rfc3339.js";
import { certificateBlobs, parseCertificate, verifyRsaPss, type Certificate } from "../x509/certificate.js";
import type { Crl } from "../x509/crl.js";
import { productFromName, type Product } from "./abi/product.js";
import { AMD_CERTIFICATES, type AmdRole } from "./amd-roots.js";
import { failed, notRun, passed, skipped, type SnpCheckResult } from "./checks.js";
import { chainRoleProblems, KEY_USAGE_BIT, keyUsage } from "../x509/constraints.js";
import { AMD_VEK_EXTENSION_OIDS, vekExtensions, type VekExtensions } from "./vek.js";

export type VekKind = "VCEK" | "VLEK";

export interface ChainInput {
  readonly vek: Certificate;
  /** The ASK or ASVK; default: AMD's pinned one for the product. */
  readonly ask?: Certificate;
  /** The ARK; default: AMD's pinned one. A given ARK must be pinned unless `trustedRoots` says otherwise. */
  readonly ark?: Certificate;
  /** Roots to trust instead of AMD's pinned ARKs (test hierarchies, private PKIs). */
  readonly trustedRoots?: readonly Certificate[];
  readonly crl?: Crl;
  /** The product, when the caller knows it (v2 reports carry no CPUID). */
  readonly product?: Product;
  /** Verification time, ns since the epoch. */
  readonly at: bigint;
}

/** The chain's checks and what they established, reusable for many reports from the same key. */
export interface VerifiedChain {
  readonly checks: readonly SnpCheckResult[];
  readonly ok: boolean;
  readonly vek: Certificate;
  readonly vekKind: VekKind | undefined;
  readonly extensions: VekExtensions | undefined;
  readonly product: Product | undefined;
  readonly issuer: Certificate | undefined;
  readonly ark: Certificate | undefined;
}

const sha256 = (der: Uint8Array) => createHash("sha256").update(der).digest("hex");

let pinned: { product: Product; role: AmdRole; sha256: string; cert: Certificate }[] | undefined;
/** The pinned AMD certificates, parsed once; each one's DER must still hash to its pinned value. */
export function amdCertificates(): readonly { product: Product; role: AmdRole; sha256: string; cert: Certificate }[] {
  pinned ??= AMD_CERTIFICATES.map((p) => {
    const cert = parseCertificate(certificateBlobs(Buffer.from(p.pem))[0]!);
    if (sha256(cert.der) !== p.sha256) throw new Error(`pinned AMD ${p.role} for ${p.product} does not match its fingerprint`);
    return { product: p.product, role: p.role, sha256: p.sha256, cert };
  });
  return pinned;
}

const pinnedCert = (product: Product, role: AmdRole) => amdCertificates().find((p) => p.product === product && p.role === role)!.cert;

/** What AMD requires of every certificate in the chain: RSASSA-PSS, SHA-384, MGF1-SHA-384, salt 48. */
function amdSignatureAlgorithm(cert: Certificate): string | undefined {
  const a = cert.signatureAlgorithm;
  if (a.kind !== "rsassa-pss") return `signature algorithm ${a.oid}`;
  if (a.hash !== "sha384" || a.mgfHash !== "sha384" || a.saltLength !== 48) return `RSASSA-PSS ${a.hash}/MGF1-${a.mgfHash}/salt ${a.saltLength}`;
  return undefined;
}

function describe(cert: Certificate | undefined): string {
  return cert?.subject.commonName ?? "(no CN)";
}

/**
 * Verifies a VCEK or VLEK up to a trusted ARK. Every check is reported, each with what was
 * expected and what was found; a check that needs an earlier result that could not be established
 * is reported as not run.
 */
/**
 * Signatures between two of AMD's pinned certificates (an ARK's self-signature, an ASK's by its
 * ARK) are constants: each is verified once per process. Any other signature is verified every time.
 */
const PINNED_SIGNATURES = new Map<string, boolean>();
const PINNED: ReadonlySet<string> = new Set(AMD_CERTIFICATES.map((c) => c.sha256));

function signedBy(subject: Certificate, signer: Certificate): boolean {
  const verifyIt = () => verifyRsaPss(subject.tbs, subject.signature, signer.publicKey, subject.signatureAlgorithm);
  const [own, by] = [sha256(subject.der), sha256(signer.der)];
  if (!PINNED.has(own) || !PINNED.has(by)) return verifyIt();
  const key = `${own}<${by}`;
  let ok = PINNED_SIGNATURES.get(key);
  if (ok === undefined) PINNED_SIGNATURES.set(key, (ok = verifyIt()));
  return ok;
}

export function verifyChain(input: ChainInput): VerifiedChain {
  const checks: SnpCheckResult[] = [];
  const { vek, at } = input;

  // VEK_CERTIFICATE
  let vekKind: VekKind | undefined;
  let extensions: VekExtensions | undefined;
  let product: Product | undefined;
  {
    const cn = vek.subject.commonName;
    vekKind = cn === "SEV-VCEK" ? "VCEK" : cn === "SEV-VLEK" ? "VLEK" : undefined;
    const problems: string[] = [];
    if (vekKind === undefined) problems.push(`subject CN ${cn ?? "(none)"}`);
    if (vek.version !== 3) problems.push(`X.509 version ${vek.version}`);
    const key = vek.publicKey;
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "secp384r1") problems.push(`a ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ""} key`.replace(/\s+/g, " "));
    const alg = amdSignatureAlgorithm(vek);
    if (alg) problems.push(alg);
    problems.push(...chainRoleProblems(vek, { kind: "leaf" }, AMD_VEK_EXTENSION_OIDS));
    try {
      extensions = vekExtensions(vek);
    } catch (err) {
      problems.push(`malformed AMD extension (${(err as Error).message})`);
    }
    const named = extensions?.productName === undefined ? undefined : productFromName(extensions.productName);
    if (extensions?.productName !== undefined && named === undefined) problems.push(`productName ${JSON.stringify(extensions.productName)}`);
    product = named ?? input.product;
    // Turin's KDS keys VCEKs by the first 8 bytes of CHIP_ID; Milan and Genoa by all 64.
    const hwIdLength = product === "Turin" ? 8 : 64;
    if (product !== undefined && extensions?.hwId !== undefined && extensions.hwId.byteLength !== hwIdLength) problems.push(`a ${extensions.hwId.byteLength}-byte hwID (${product}: ${hwIdLength})`);
    if (product === undefined && problems.length === 0) problems.push("no productName and no product given");
    const expected = "CN SEV-VCEK or SEV-VLEK, v3, EC P-384 key, RSA-PSS SHA-384 salt 48, not a CA, productName Milan/Genoa/Turin";
    checks.push(problems.length ? failed("VEK_CERTIFICATE", expected, problems.join("; ")) : passed("VEK_CERTIFICATE", `${vekKind} for ${extensions?.productName ?? product}`, expected));
  }

  // ISSUER_CERTIFICATE
  const issuer = input.ask ?? (vekKind && product ? pinnedCert(product, vekKind === "VCEK" ? "ask" : "asvk") : undefined);
  if (issuer === undefined) checks.push(notRun("ISSUER_CERTIFICATE", "the VCEK/VLEK's kind or product is unknown, and no --ask was given"));
  else {
    const expectedCn = vekKind && product ? (vekKind === "VCEK" ? `SEV-${product}` : `SEV-VLEK-${product}`) : undefined;
    const problems: string[] = [];
    if (expectedCn !== undefined && issuer.subject.commonName !== expectedCn) problems.push(`CN ${describe(issuer)}`);
    if (!bytesEqual(vek.issuer.der, issuer.subject.der)) problems.push("did not issue the VCEK/VLEK (issuer name differs)");
    const type = issuer.publicKey.asymmetricKeyType;
    if (type !== "rsa" && type !== "rsa-pss") problems.push(`a ${type} key`);
    const alg = amdSignatureAlgorithm(issuer);
    if (alg) problems.push(alg);
    problems.push(...chainRoleProblems(issuer, { kind: "ca", issuesCa: false }));
    const expected = `${expectedCn ?? "the product's ASK/ASVK"}, RSA key, RSA-PSS SHA-384 salt 48, a CA, issuer of the VCEK/VLEK`;
    // Name the certificate that was checked, and whether it was AMD's pinned default (a caller who
    // trusts another root but gives no --ask still gets AMD's ASK here).
    const which = `${describe(issuer)}${input.ask ? "" : " (pinned)"}`;
    checks.push(problems.length ? failed("ISSUER_CERTIFICATE", expected, `${which}: ${problems.join("; ")}`) : passed("ISSUER_CERTIFICATE", which, expected));
  }

  // ROOT_TRUSTED
  // Given trusted roots replace AMD's pins: the default root is the trusted one that signed the ASK/ASVK (or the only one).
  const issuedIt = (r: Certificate) => issuer !== undefined && bytesEqual(r.subject.der, issuer.issuer.der) && verifyRsaPss(issuer.tbs, issuer.signature, r.publicKey, issuer.signatureAlgorithm);
  const ark =
    input.ark ??
    (input.trustedRoots
      ? (input.trustedRoots.find(issuedIt) ?? (input.trustedRoots.length === 1 ? input.trustedRoots[0] : undefined))
      : product
        ? pinnedCert(product, "ark")
        : undefined);
  if (ark === undefined) checks.push(notRun("ROOT_TRUSTED", input.trustedRoots ? "none of the trusted roots issued the ASK/ASVK, and no --ark was given" : "the product is unknown, and no --ark was given"));
  else {
    const problems: string[] = [];
    const trusted = input.trustedRoots
      ? input.trustedRoots.some((r) => bytesEqual(r.der, ark.der))
      : amdCertificates().some((p) => p.role === "ark" && p.sha256 === sha256(ark.der) && (product === undefined || p.product === product));
    if (!trusted) problems.push(input.trustedRoots ? "not one of the trusted roots given" : `not AMD's pinned ARK${product ? ` for ${product}` : ""} (SHA-256 ${sha256(ark.der)})`);
    if (!bytesEqual(ark.issuer.der, ark.subject.der)) problems.push("not self-issued");
    if (issuer && !bytesEqual(issuer.issuer.der, ark.subject.der)) problems.push("did not issue the ASK/ASVK (issuer name differs)");
    const alg = amdSignatureAlgorithm(ark);
    if (alg) problems.push(alg);
    problems.push(...chainRoleProblems(ark, { kind: "ca", issuesCa: true }));
    const expected = input.trustedRoots ? "a trusted root, self-issued, issuer of the ASK/ASVK" : `AMD's pinned ARK${product ? `-${product}` : ""}, issuer of the ASK/ASVK`;
    checks.push(problems.length ? failed("ROOT_TRUSTED", expected, `${describe(ark)}: ${problems.join("; ")}`) : passed("ROOT_TRUSTED", `${describe(ark)} (SHA-256 ${sha256(ark.der).slice(0, 16)}…)`, expected));
  }

  // Signatures: each is checked on its own so that a report names every broken link.
  const signature = (check: "ARK_SIGNATURE" | "ASK_SIGNATURE" | "VEK_SIGNATURE", subject: Certificate | undefined, signer: Certificate | undefined, what: string) => {
    if (subject === undefined || signer === undefined) checks.push(notRun(check, "a certificate of the chain is missing"));
    else if (signedBy(subject, signer)) checks.push(passed(check, `${describe(subject)} signed by ${describe(signer)}`));
    else checks.push(failed(check, `a valid signature by ${describe(signer)}`, `${describe(subject)}: signature does not verify`, what));
  };
  signature("ARK_SIGNATURE", ark, ark, "the root's self-signature");
  signature("ASK_SIGNATURE", issuer, ark, "the ASK/ASVK's signature by the ARK");
  signature("VEK_SIGNATURE", vek, issuer, "the VCEK/VLEK's signature by the ASK/ASVK");

  // CERT_VALIDITY
  {
    const when = formatRfc3339(at);
    const expired = [vek, issuer, ark]
      .filter((c): c is Certificate => c !== undefined)
      .filter((c) => at < c.notBefore || at > c.notAfter)
      .map((c) => `${describe(c)} valid ${formatRfc3339(c.notBefore)} .. ${formatRfc3339(c.notAfter)}`);
    const windows = [vek, issuer, ark].filter((c): c is Certificate => c !== undefined).map((c) => `${describe(c)} ${formatRfc3339(c.notBefore)} .. ${formatRfc3339(c.notAfter)}`);
    checks.push(expired.length ? failed("CERT_VALIDITY", `all valid at ${when}`, expired.join("; ")) : passed("CERT_VALIDITY", windows.join("; "), `all valid at ${when}`));
  }

  // CRL
  const crl = input.crl;
  if (crl === undefined) checks.push(skipped("CRL", "no CRL given"));
  else if (ark === undefined) checks.push(notRun("CRL", "no ARK to check the CRL against"));
  else {
    const problems: string[] = [];
    if (!bytesEqual(crl.issuer.der, ark.subject.der)) problems.push("not issued by the ARK");
    let usage: ReadonlySet<number> | undefined;
    try {
      usage = keyUsage(ark);
    } catch {
      problems.push("the ARK's keyUsage is malformed");
    }
    if (usage && !usage.has(KEY_USAGE_BIT.cRLSign)) problems.push("the ARK's keyUsage lacks cRLSign");
    if (crl.criticalExtensions.length) problems.push(`unprocessed critical extension ${crl.criticalExtensions.join(", ")}`);
    const a = crl.signatureAlgorithm;
    if (a.kind !== "rsassa-pss" || a.hash !== "sha384" || a.mgfHash !== "sha384" || a.saltLength !== 48) problems.push("not signed with RSASSA-PSS SHA-384 salt 48");
    else if (!verifyRsaPss(crl.tbs, crl.signature, ark.publicKey, a)) problems.push("signature does not verify with the ARK");
    if (at < crl.thisUpdate) problems.push(`issued after the verification time (${formatRfc3339(crl.thisUpdate)})`);
    // Without nextUpdate nothing says when the CRL stops being current (RFC 5280 requires it).
    if (crl.nextUpdate === undefined) problems.push("no nextUpdate: it cannot be known to be current");
    else if (at > crl.nextUpdate) problems.push(`stale: next update was due ${formatRfc3339(crl.nextUpdate)}`);
    // An ARK's CRL lists serials of certificates the ARK issued: the ASK/ASVK. VCEKs are issued by
    // the ASK (and all carry serial 0); AMD supersedes them by TCB rather than revoking them.
    if (issuer && bytesEqual(issuer.issuer.der, crl.issuer.der) && crl.revoked.has(issuer.serial)) problems.push(`${describe(issuer)} (serial 0x${issuer.serial}) is revoked`);
    checks.push(problems.length ? failed("CRL", "an ARK-signed (RSA-PSS SHA-384), current CRL not listing the ASK/ASVK", problems.join("; ")) : passed("CRL", `${crl.revoked.size} revoked serial(s), not the ASK/ASVK's`));
  }
  const ok = checks.every((c) => c.status === "passed" || c.status === "skipped");
  return { checks, ok, vek, vekKind, extensions, product, issuer, ark };
}
