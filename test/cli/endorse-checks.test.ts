import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ReferenceValues } from "../../src/schema/reference-values.js";
import { runCli } from "../helpers/cli.js";
import { ROOT, fixturePath } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

const VALUES = join(ROOT, "reference-values/2026.11.0.json");
/** The verifier's input limit for a statement (README: 16 MiB), written out independently of the code. */
const VERIFIER_LIMIT = 16 * 1024 * 1024;

function keysFor(work: string, components: string, registry?: string): string {
  const keys = join(work, "keys");
  const r = runCli(["keys", "generate", "--component", components, "--out", keys, ...(registry ? ["--registry", registry] : [])]);
  expect(r.status).toBe(0);
  return keys;
}

describe("endorse release refuses what publish and verify would refuse", () => {
  it("a validity window that does not include now, unless --allow-inactive (then it warns)", () => {
    const work = tempDir("endorse-window");
    const keys = keysFor(work, "cmdline");
    const out = join(work, "out");
    const future = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out, "--issued-on", "2099-01-01"]);
    expect(future.status).toBe(2);
    expect(future.stderr).toMatch(/^reftrail: error: --issued-on: the validity 2099-01-01T00:00:00Z \.\. 2100-01-01T00:00:00Z does not include now \(.*\): publish and verify would refuse the endorsements \(pass --allow-inactive to sign them for later\)\n$/);
    const past = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out, "--issued-on", "2020-01-01", "--not-after", "2020-06-01"]);
    expect(past.status).toBe(2);
    expect(past.stderr).toMatch(/^reftrail: error: --not-after: the validity 2020-01-01T00:00:00Z \.\. 2020-06-01T00:00:00Z does not include now/);
    expect(existsSync(out)).toBe(false);
    const allowed = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out, "--issued-on", "2099-01-01", "--allow-inactive"]);
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toMatch(/^reftrail: warning: the validity 2099-01-01T00:00:00Z \.\. 2100-01-01T00:00:00Z does not include now .*: publish will refuse these endorsements until it does\n$/);
    // Nothing left to sign: a re-run's times do not matter.
    expect(runCli(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out, "--issued-on", "2020-01-01", "--not-after", "2020-06-01"]).status).toBe(0);
  });

  it("with --key-registry, a key that is not the component's (another component's, or outside its window)", () => {
    const work = tempDir("endorse-registry");
    const registry = join(work, "registry.json");
    const keys = keysFor(work, "cmdline,initrd", registry);
    const out = join(work, "out");
    // The cmdline key file now holds initrd's key.
    writeFileSync(join(keys, "cmdline.private.pem"), readFileSync(join(keys, "initrd.private.pem")), { mode: 0o600 });
    const wrong = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out, "--key-registry", registry]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/^reftrail: error: the key for cmdline \([0-9a-f]{64}\) is not registered for 'cmdline' in .*registry\.json, which lists another key for it\n$/);
    expect(existsSync(out)).toBe(false);
    const revoked = runCli(["keys", "register", "--registry", registry, "--component", "initrd", "--key", join(keys, "initrd.public.pem"), "--start", "2020-01-01", "--end", "2021-01-01"]);
    expect(revoked.status).toBe(0);
    const outside = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "initrd", "--key-dir", keys, "--out", out, "--key-registry", registry]);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/is registered in .*registry\.json for 2020-01-01T00:00:00Z \.\. 2021-01-01T00:00:00Z, which does not include 20/);
    const unknown = runCli(["endorse", "release", "--reference-values", VALUES, "--component", "ovmf-vars", "--key-dir", keysFor(join(work, "more"), "ovmf-vars"), "--out", out, "--key-registry", registry]);
    expect(unknown.stderr).toMatch(/which lists no key for it\n$/);
  });

  it("reference values whose statement would exceed what a verifier reads: one line, nothing signed", () => {
    const work = tempDir("endorse-size");
    const keys = keysFor(work, "ovmf");
    const values = ReferenceValues.parse(JSON.parse(readFileSync(VALUES, "utf8")));
    const ovmf = values.components.find((c) => c.name === "ovmf")!;
    if (ovmf.kind !== "firmware") throw new Error("ovmf is firmware");
    // The committed firmware's launch digests, repeated until even their compact JSON passes the limit.
    const copies = Math.ceil(VERIFIER_LIMIT / JSON.stringify(ovmf.launchDigests).length) + 1;
    const big = { ...values, components: [{ ...ovmf, launchDigests: Array.from({ length: copies }, () => ovmf.launchDigests).flat() }] };
    const path = join(work, "big.json");
    writeFileSync(path, JSON.stringify(big));
    const out = join(work, "out");
    const r = runCli(["endorse", "release", "--reference-values", path, "--key-dir", keys, "--out", out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^reftrail: error: the endorsement of ovmf would be [0-9,]+ bytes, more than the 16,777,216 bytes a verifier reads: measure fewer launch-digest configurations\n$/);
    expect(existsSync(join(out, "ovmf"))).toBe(false);
  });
});

describe("measure release refuses reference values no endorsement of which a verifier would read", () => {
  it("a firmware measured for every vCPU count, type, VMM and 19 guest-feature values", () => {
    const work = tempDir("measure-size");
    const manifest = join(work, "release.json");
    const guestFeatures = Array.from({ length: 19 }, (_, i) => `0x${(2 * i + 1).toString(16)}`);
    writeFileSync(
      manifest,
      JSON.stringify({
        version: 1,
        release: { name: "everything", version: "1" },
        components: [
          { name: "ovmf", kind: "firmware", version: "1", path: fixturePath("firmware/OVMF.fd"), launchDigests: [{ mode: "snp", vcpus: "1-512", vcpuTypes: ["all"], vmmTypes: ["QEMU", "ec2", "gce"], guestFeatures }] },
        ],
      }),
    );
    const out = join(work, "rv.json");
    const r = runCli(["measure", "release", "--manifest", manifest, "--out", out]);
    expect(r.status).toBe(2);
    const m = /^reftrail: error: .*release\.json: components\[0\] \(ovmf\): its endorsement would be ([0-9,]+) bytes, more than the 16,777,216 bytes a verifier reads: measure fewer launch-digest configurations \(vcpus, vcpuTypes, vmmTypes, guestFeatures\) or split the firmware into several components\n$/.exec(r.stderr);
    expect(m).not.toBeNull();
    expect(Number(m![1]!.replaceAll(",", ""))).toBeGreaterThan(VERIFIER_LIMIT);
    expect(existsSync(out)).toBe(false);
  });
});
