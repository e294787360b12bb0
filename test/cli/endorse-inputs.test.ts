import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliResult } from "../helpers/cli.js";
import { ROOT } from "../helpers/fixtures.js";
import { leftoversOfKilledProcess } from "../helpers/leftovers.js";
import { tempDir } from "../helpers/tlog.js";

/**
 * Every file endorse, publish and keys read is checked like a verifier's input: a regular file
 * within its limit. Before, a FIFO blocked them forever and /dev/zero ate memory; each run here has
 * a generous deadline, so such a hang fails the test instead of stalling it.
 */
const VALUES = join(ROOT, "reference-values/2026.11.0.json");
const DEADLINE_MS = 20_000;
const isRoot = process.getuid?.() === 0;
const rootOnly = isRoot ? it : it.skip;

function bounded(args: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, "dist/cli/main.js"), ...args], { cwd: ROOT, encoding: "utf8", timeout: DEADLINE_MS, killSignal: "SIGKILL" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function mkfifo(path: string): void {
  expect(spawnSync("mkfifo", [path]).status).toBe(0);
}

/** A character device with /dev/zero's numbers, owner-only so that only its kind can be refused. */
function zeroDevice(path: string): void {
  expect(spawnSync("mknod", ["-m", "600", path, "c", "1", "5"]).status).toBe(0);
}

function ok(args: readonly string[]): string {
  const r = bounded(args);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

/** A key folder and a signed, published endorsement folder of the `cmdline` component. */
function published(name: string) {
  const work = tempDir(name);
  const keys = join(work, "keys");
  const out = join(work, "endorsements");
  ok(["keys", "generate", "--component", "cmdline", "--out", keys]);
  ok(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out]);
  ok(["publish", "release", "--endorsements", out, "--log", join(work, "log")]);
  return { work, keys, out, dir: join(out, "cmdline") };
}

describe("inputs of endorse, publish and keys are regular files within limits", () => {
  /** A key folder whose cmdline private key is replaced by `make(path)`, and endorse run on it. */
  function endorseWithKey(name: string, make: (path: string) => void): { keys: string; key: string; result: CliResult } {
    const work = tempDir(name);
    const keys = join(work, "keys");
    const key = join(keys, "cmdline.private.pem");
    ok(["keys", "generate", "--component", "cmdline", "--out", keys]);
    rmSync(key);
    make(key);
    return { keys, key, result: bounded(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", join(work, "out")]) };
  }

  it("a FIFO as a private key: endorse refuses at once, naming it", () => {
    const { key, result } = endorseWithKey("endorse-fifo-key", mkfifo);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`reftrail: error: ${key}: private key file is not a regular file (a device, pipe or socket)\n`);
  });

  rootOnly("a /dev/zero device as a private key (run as root: mknod) is refused, not read", () => {
    const { keys, result } = endorseWithKey("endorse-zero-key", zeroDevice);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("private key file is not a regular file");
    // keys generate --keep-existing reads the same file.
    const kept = bounded(["keys", "generate", "--component", "cmdline", "--out", keys, "--keep-existing"]);
    expect(kept.status).toBe(2);
    expect(kept.stderr).toContain("not a regular file");
  });

  it("a FIFO or /dev/zero link in a signed folder: publish refuses the file, naming it", () => {
    const { work, keys } = published("publish-fifo");
    const out = join(work, "second");
    ok(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out]);
    const sig = join(out, "cmdline", "endorsement.json.sig");
    rmSync(sig);
    mkfifo(sig);
    const r = bounded(["publish", "release", "--endorsements", out, "--log", join(work, "log")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`reftrail: error: component cmdline (${sig}): is not a regular file (a device, pipe or socket)\n`);
    rmSync(sig);
    symlinkSync("/dev/zero", sig);
    const z = bounded(["publish", "release", "--endorsements", out, "--log", join(work, "log")]);
    expect(z.status).toBe(2);
    expect(z.stderr).toContain("is not a regular file");
  });

  it("a FIFO log entry in a published folder: publish and endorse refuse it instead of waiting", () => {
    const { work, keys, out, dir } = published("publish-fifo-entry");
    rmSync(join(dir, "logentry.json"));
    mkfifo(join(dir, "logentry.json"));
    const p = bounded(["publish", "release", "--endorsements", out, "--log", join(work, "log")]);
    expect(p.status).toBe(2);
    expect(p.stderr).toContain(`${join(dir, "logentry.json")}): is not a regular file`);
    rmSync(join(dir, "endorsement.json"));
    mkfifo(join(dir, "endorsement.json"));
    const e = bounded(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out]);
    expect(e.status).toBe(2);
    expect(e.stderr).toBe(`reftrail: error: ${join(dir, "endorsement.json")}: is not a regular file (a device, pipe or socket)\n`);
  });
});

describe("the next run removes what a killed run left", () => {
  it("keys generate removes a killed generator's private-key temp file; endorse release a killed run's staged folder", () => {
    const work = tempDir("leftovers");
    const keys = join(work, "keys");
    const out = join(work, "out");
    ok(["keys", "generate", "--component", "cmdline", "--out", keys]);
    const keyTemps = leftoversOfKilledProcess(keys, [join(keys, "initrd.private.pem")]);
    ok(["keys", "generate", "--component", "initrd", "--out", keys]);
    for (const name of keyTemps) expect(existsSync(join(keys, name))).toBe(false);
    expect(readdirSync(keys).sort()).toEqual(["cmdline.private.pem", "cmdline.public.pem", "initrd.private.pem", "initrd.public.pem"]);

    ok(["endorse", "release", "--reference-values", VALUES, "--component", "cmdline", "--key-dir", keys, "--out", out]);
    const staged = leftoversOfKilledProcess(out, [join(out, "initrd.x"), join(out, "initrd")]);
    ok(["endorse", "release", "--reference-values", VALUES, "--component", "initrd", "--key-dir", keys, "--out", out]);
    for (const name of staged) expect(existsSync(join(out, name))).toBe(false);
    expect(readdirSync(out).sort()).toEqual(["cmdline", "initrd"]);
  });
});
