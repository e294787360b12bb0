import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseInteger, parseSmallInteger } from "../../src/cli/args.js";
import { UsageError } from "../../src/cli/errors.js";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { ROOT } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).message;
  }
  throw new Error("expected a UsageError");
}

describe("integer options: the limit in an out-of-range message", () => {
  it("is decimal for a decimal value (what --timeout and --valid-days take)", () => {
    expect(rejection(() => parseSmallInteger("--timeout", "99999", 3600))).toBe("99999 is out of range (at most 3600)");
    expect(rejection(() => parseSmallInteger("--valid-days", "99999999", 100 * 366))).toBe("99999999 is out of range (at most 36600)");
    expect(rejection(() => parseInteger("--vcpu-sig", "4294967296", 0xffffffffn))).toBe("4294967296 is out of range (at most 4294967295)");
    expect(rejection(() => parseSmallInteger("--port", "0o200000", 65535))).toBe("0o200000 is out of range (at most 65535)");
  });

  it("is hex for a value written in hex (signatures, guest features)", () => {
    expect(rejection(() => parseInteger("--vcpu-sig", "0x100000000", 0xffffffffn))).toBe("0x100000000 is out of range (at most 0xffffffff)");
    expect(rejection(() => parseInteger("--guest-features", "0X1_0000_0000_0000_0000", 2n ** 64n - 1n))).toBe("0X1_0000_0000_0000_0000 is out of range (at most 0xffffffffffffffff)");
  });

  it("reaches the command line as one line naming the option", () => {
    // A folder with one component, so publish gets as far as reading --timeout.
    const endorsements = tempDir("args-timeout");
    mkdirSync(join(endorsements, "initrd"));
    writeFileSync(join(endorsements, "initrd/endorsement.json"), "{}");
    expectRejected(runCli(["publish", "release", "--endorsements", endorsements, "--timeout", "99999"]), "--timeout", "(at most 3600)");
    const values = join(ROOT, "reference-values/2026.11.0.json");
    expectRejected(runCli(["endorse", "release", "--reference-values", values, "--key-dir", endorsements, "--out", join(endorsements, "out"), "--valid-days", "99999999"]), "--valid-days", "(at most 36600)");
  });
});
