import { sha384 } from "../../util/digest.js";
import { writeU16, writeU64 } from "../../util/bytes.js";
import { PAGE_SIZE } from "../firmware/ovmf.js";
import { MeasureError } from "../errors.js";

/** SNP ABI PAGE_INFO page types. */
export const PageType = {
  NORMAL: 1,
  VMSA: 2,
  ZERO: 3,
  UNMEASURED: 4,
  SECRETS: 5,
  CPUID: 6,
} as const;
export type PageType = (typeof PageType)[keyof typeof PageType];

export const LAUNCH_DIGEST_SIZE = 48;
const PAGE_INFO_SIZE = 0x70;
const ZERO_CONTENTS = new Uint8Array(LAUNCH_DIGEST_SIZE);

/**
 * GPA recorded for every VMSA page: KVM's INITIAL_VMSA_GPA, the top page of a 48-bit address space.
 * gce-tcb-verifier uses the top page of the product's address width instead (52 bits on Genoa).
 */
export const DEFAULT_VMSA_GPA = 0xffff_ffff_f000;

/**
 * The SNP launch digest: each measured page folds into it as
 * `LD = SHA-384(PAGE_INFO{ LD, contents digest, length, type, imi=0, vmpl perms=0, gpa })`.
 * Immutable: every update returns a new chain, so a prefix (firmware, metadata) can be shared by
 * many configurations and vCPU counts without recomputation.
 */
export class LaunchDigestChain {
  readonly digest: Uint8Array;

  private constructor(digest: Uint8Array) {
    this.digest = digest;
  }

  static start(seed: Uint8Array = ZERO_CONTENTS): LaunchDigestChain {
    if (seed.byteLength !== LAUNCH_DIGEST_SIZE) {
      throw new MeasureError(
        "FIRMWARE_HASH_LENGTH",
        `a precomputed firmware hash has ${LAUNCH_DIGEST_SIZE} bytes (96 hex digits), got ${seed.byteLength}`,
      );
    }
    return new LaunchDigestChain(Uint8Array.from(seed));
  }

  page(type: PageType, gpa: number, contentsDigest: Uint8Array = ZERO_CONTENTS): LaunchDigestChain {
    return new LaunchDigestChain(pageInfoDigest(this.digest, type, gpa, contentsDigest));
  }

  /** Pages of `data` as NORMAL pages at consecutive GPAs starting at `gpa`. */
  normalPages(gpa: number, data: Uint8Array): LaunchDigestChain {
    let ld = this.digest;
    for (let off = 0; off < data.byteLength; off += PAGE_SIZE) {
      ld = pageInfoDigest(ld, PageType.NORMAL, gpa + off, sha384(data.subarray(off, off + PAGE_SIZE)));
    }
    return new LaunchDigestChain(ld);
  }

  /** Pages whose contents are not hashed (ZERO, UNMEASURED) over `size` bytes from `gpa`. */
  emptyPages(type: PageType, gpa: number, size: number): LaunchDigestChain {
    let ld = this.digest;
    for (let off = 0; off < size; off += PAGE_SIZE) ld = pageInfoDigest(ld, type, gpa + off, ZERO_CONTENTS);
    return new LaunchDigestChain(ld);
  }
}

const pageInfo = new Uint8Array(PAGE_INFO_SIZE);

function pageInfoDigest(ld: Uint8Array, type: PageType, gpa: number, contents: Uint8Array): Uint8Array {
  pageInfo.set(ld, 0);
  pageInfo.set(contents, 0x30);
  writeU16(pageInfo, 0x60, PAGE_INFO_SIZE);
  pageInfo[0x62] = type;
  // 0x63 IMI_PAGE and 0x64..0x67 VMPL permissions stay zero for every launch-time page.
  writeU64(pageInfo, 0x68, gpa);
  return sha384(pageInfo);
}
