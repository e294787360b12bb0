import { FirmwareAttachmentSchema, KernelAttachmentSchema } from "../../schema/oak/gen/proto/attestation/attachment_pb.js";
import type { HexDigest } from "../../schema/oak/gen/proto/digest_pb.js";
import { ReftrailError } from "../../util/errors.js";
import { fromHexDigest, type DigestSet } from "./digests.js";
import { decodeMessage } from "./proto.js";

const CLAIM = (n: string) => `https://github.com/project-oak/oak/blob/main/docs/tr/claim/${n}.md`;
/** The claims that make a statement's attachment a FirmwareAttachment / KernelAttachment (Oak's gate for decoding them). */
export const FIRMWARE_CLAIM = CLAIM("10271");
export const KERNEL_CLAIM = CLAIM("98982");

/** What an endorsement says a component must be, or why it cannot say. */
export type Expected = { readonly ok: true; readonly digests: readonly DigestSet[]; readonly text: string } | { readonly ok: false; readonly why: string };

function decoded<T>(fn: () => T): T | string {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ReftrailError) return err.message;
    throw err;
  }
}

const digestOf = (hex: HexDigest | undefined, what: string): DigestSet | string => {
  if (hex === undefined) return `the attachment has no ${what}`;
  return fromHexDigest(hex) ?? `the attachment's ${what} is not hex`;
};

/**
 * The launch digests a firmware endorsement allows: every vCPU-count entry of its
 * FirmwareAttachment (`configs`), each an SNP MEASUREMENT. Needs the firmware claim (10271).
 */
export function firmwareDigests(attachment: Uint8Array, claims: readonly string[]): Expected {
  if (!claims.includes(FIRMWARE_CLAIM)) return { ok: false, why: `the endorsement lacks the firmware claim ${FIRMWARE_CLAIM}` };
  if (attachment.byteLength === 0) return { ok: false, why: "the firmware endorsement has no FirmwareAttachment (subject)" };
  const fw = decoded(() => decodeMessage(FirmwareAttachmentSchema, attachment, "FirmwareAttachment"));
  if (typeof fw === "string") return { ok: false, why: fw };
  const entries = Object.entries(fw.configs).sort(([a], [b]) => Number(a) - Number(b));
  if (entries.length === 0) return { ok: false, why: "the FirmwareAttachment lists no configurations" };
  const digests: DigestSet[] = [];
  for (const [vcpus, hex] of entries) {
    const d = digestOf(hex, `configs[${vcpus}]`);
    if (typeof d === "string") return { ok: false, why: d };
    digests.push(d);
  }
  return { ok: true, digests, text: `FirmwareAttachment configs for ${entries.map(([v]) => v).join(", ")} vCPUs` };
}

/** The kernel image or setup data a kernel endorsement allows (KernelAttachment); needs the kernel claim (98982). */
export function kernelDigest(attachment: Uint8Array, claims: readonly string[], part: "image" | "setupData"): Expected {
  if (!claims.includes(KERNEL_CLAIM)) return { ok: false, why: `the endorsement lacks the kernel claim ${KERNEL_CLAIM}` };
  if (attachment.byteLength === 0) return { ok: false, why: "the kernel endorsement has no KernelAttachment (subject)" };
  const kernel = decoded(() => decodeMessage(KernelAttachmentSchema, attachment, "KernelAttachment"));
  if (typeof kernel === "string") return { ok: false, why: kernel };
  const d = digestOf(kernel[part], part === "image" ? "image" : "setup_data");
  return typeof d === "string" ? { ok: false, why: d } : { ok: true, digests: [d], text: `KernelAttachment.${part === "image" ? "image" : "setup_data"}` };
}
