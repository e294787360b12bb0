import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashFile } from "../../src/util/hash-file.js";
import type { DigestAlgorithm } from "../../src/util/digest.js";
import { toHex } from "../../src/util/bytes.js";
import { fixturePath } from "../helpers/fixtures.js";
import { prng, randomBytes } from "../helpers/random.js";
import { opensslDigest } from "../helpers/sha.js";

describe("hashFile", () => {
  it("one algorithm, on a real kernel, equals openssl dgst", async () => {
    const path = fixturePath("kernel/vmlinuz-6.1.0-56-cloud-amd64");
    const { digests, size } = await hashFile(path, ["sha256"]);
    expect(toHex(digests.sha256)).toBe(opensslDigest("sha256", path));
    expect(size).toBe(14186432);
  });

  it("three algorithms in one pass on worker threads (a file above the parallel threshold) equal openssl", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "reftrail-hash-")), "big.bin");
    // 40 MiB plus an odd tail, so the last chunk is partial.
    writeFileSync(path, randomBytes(prng(3), (40 << 20) + 12345));
    const progress: number[] = [];
    const { digests, size } = await hashFile(path, ["sha256", "sha384", "sha512"], (done) => progress.push(done));
    expect(size).toBe((40 << 20) + 12345);
    for (const a of ["sha256", "sha384", "sha512"] as const) expect(toHex(digests[a]), a).toBe(opensslDigest(a, path));
    expect(progress.at(-1)).toBe(size);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  });

  it("a worker that fails rejects the call (never an unhandled rejection)", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "reftrail-hash-")), "big.bin");
    writeFileSync(path, Buffer.alloc(40 << 20, 7));
    await expect(hashFile(path, ["sha256", "no-such-hash" as DigestAlgorithm])).rejects.toThrow();
  });

  it("refuses a file that changes while it is read", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "reftrail-hash-")), "moving.bin");
    writeFileSync(path, Buffer.alloc(40 << 20, 1));
    let touched = false;
    const changeOnce = () => {
      if (touched) return;
      touched = true;
      appendFileSync(path, "more");
    };
    await expect(hashFile(path, ["sha256"], changeOnce)).rejects.toMatchObject({ code: "FILE_CHANGED" });
    touched = false;
    await expect(hashFile(path, ["sha256", "sha512"], changeOnce)).rejects.toMatchObject({ code: "FILE_CHANGED" });
  });

  it("an empty file", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "reftrail-hash-")), "empty");
    writeFileSync(path, "");
    const { digests } = await hashFile(path, ["sha256", "sha512"]);
    expect(toHex(digests.sha256)).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(toHex(digests.sha512)).toBe(opensslDigest("sha512", path));
  });
});
