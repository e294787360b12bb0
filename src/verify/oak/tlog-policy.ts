import type { EndorsementReferenceValue, VerifyingKeySet } from "../../schema/oak/gen/proto/attestation/reference_value_pb.js";

/** What an EndorsementReferenceValue asks of the transparency log (Oak's `verify_tlog`). */
export type LogRequirement =
  | { readonly kind: "none"; readonly why: string }
  | { readonly kind: "rekor"; readonly keys: VerifyingKeySet; readonly where: string }
  | { readonly kind: "refused"; readonly why: string };

/**
 * `tlog` when present (strategy skip / all / any over the populated sub-checks), else the
 * deprecated `rekor` (skip or verify). C2SP and PES proofs are not implemented by reftrail: a policy
 * that needs one is refused rather than passed over.
 */
export function logRequirement(rv: EndorsementReferenceValue): LogRequirement {
  const tlog = rv.tlog;
  if (tlog !== undefined) {
    const strategy = tlog.strategy.case;
    if (strategy === undefined) return { kind: "refused", why: "missing t-log verification strategy" };
    if (strategy === "skip") return { kind: "none", why: "tlog { skip }" };
    const unsupported = [tlog.c2sp ? "c2sp" : "", tlog.pes ? "pes" : ""].filter(Boolean);
    if (strategy === "all") {
      if (unsupported.length) return { kind: "refused", why: `tlog { all } needs ${unsupported.join(" and ")} proofs, which reftrail does not verify` };
      return tlog.rekor ? { kind: "rekor", keys: tlog.rekor, where: "tlog.rekor" } : { kind: "none", why: "tlog { all } with no populated sub-check" };
    }
    // any: at least one populated sub-check must pass; reftrail can only try Rekor.
    if (tlog.rekor) return { kind: "rekor", keys: tlog.rekor, where: "tlog.rekor" };
    return { kind: "refused", why: unsupported.length ? `tlog { any } offers only ${unsupported.join(" and ")}, which reftrail does not verify` : "tlog { any } with no populated sub-check" };
  }
  const rekor = rv.rekor;
  if (rekor === undefined || rekor.type.case === undefined) return { kind: "refused", why: "neither tlog nor rekor is set" };
  if (rekor.type.case === "skip") return { kind: "none", why: "rekor { skip } (deprecated field)" };
  return { kind: "rekor", keys: rekor.type.value, where: "rekor.verify" };
}
