import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { snpVmsaDigests, snpVmsaDigestsJs, VMSA_CHAIN_BACKEND } from "../../../src/measure/snp/launch.js";
import { LaunchDigestChain } from "../../../src/measure/snp/page-info.js";
import { MeasureError } from "../../../src/measure/errors.js";
import { ROOT } from "../../helpers/fixtures.js";

/**
 * The native VMSA chain (native/launch-chain.c) against the JavaScript one: the oracle tests check
 * whichever path the build has against sev-snp-measure; this checks that both paths agree, byte for
 * byte, so that neither can drift from the other.
 */
const built = existsSync(join(ROOT, "build/native/launch-chain.node"));

describe("VMSA chain: native and JavaScript agree", () => {
  it(`uses the native module where it was built (${built ? "built" : "not built here"})`, () => {
    expect(VMSA_CHAIN_BACKEND).toBe(built && !process.env["REFTRAIL_NO_NATIVE"] ? "openssl" : "javascript");
  });

  it.each([
    ["1..512, KVM's VMSA GPA", Array.from({ length: 512 }, (_, i) => i + 1), 0xffff_ffff_f000],
    ["sparse counts with 0 and repeats, a 52-bit GPA", [64, 0, 1, 7, 7, 300], 0xf_ffff_ffff_f000],
    ["one vCPU, GPA 0", [1], 0],
  ])("%s", (_name, counts, gpa) => {
    for (let round = 0; round < 5; round++) {
      const chain = LaunchDigestChain.start(randomBytes(48));
      const pages = { bsp: randomBytes(4096), ap: randomBytes(4096) };
      const native = snpVmsaDigests(chain, pages, counts, gpa);
      const js = snpVmsaDigestsJs(chain, pages, counts, gpa);
      expect([...native.keys()]).toEqual([...js.keys()]);
      for (const [n, d] of js) expect(Buffer.from(native.get(n)!).toString("hex"), `${n} vCPUs`).toBe(Buffer.from(d).toString("hex"));
    }
  });

  it("a firmware without an AP reset address launches one vCPU only, on both paths", () => {
    const chain = LaunchDigestChain.start(randomBytes(48));
    const pages = { bsp: randomBytes(4096), ap: undefined };
    expect(() => snpVmsaDigests(chain, pages, [2])).toThrow(MeasureError);
    expect(() => snpVmsaDigestsJs(chain, pages, [2])).toThrow(MeasureError);
    expect(Buffer.from(snpVmsaDigests(chain, pages, [1]).get(1)!)).toEqual(Buffer.from(snpVmsaDigestsJs(chain, pages, [1]).get(1)!));
  });
});
