import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { runCli, runCliAsync } from "../helpers/cli.js";
import { ROOT } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

interface Registry {
  components: Record<string, { keyId: string; validFor: { start: string; end?: string }; comment?: string }[]>;
}
const readRegistry = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Registry;

function ok(args: string[]): string {
  const r = runCli(args);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

/** A public key file for each name, made by `keys generate` (no registry). */
function publicKeys(dir: string, names: readonly string[]): Record<string, string> {
  ok(["keys", "generate", "--component", names.join(","), "--out", dir]);
  return Object.fromEntries(names.map((n) => [n, join(dir, `${n}.public.pem`)]));
}

describe("keys register changes only the bounds given", () => {
  it("--end on a registered key keeps its start (the rotation recipe), and --comment is kept", () => {
    const work = tempDir("keys-rotate");
    const registry = join(work, "registry.json");
    const keys = publicKeys(join(work, "keys"), ["old", "new"]);
    ok(["keys", "register", "--registry", registry, "--component", "ovmf", "--key", keys["old"]!, "--start", "2025-01-01T00:00:00Z", "--comment", "first key"]);
    ok(["keys", "register", "--registry", registry, "--component", "ovmf", "--key", keys["new"]!, "--start", "2026-06-01T00:00:00Z"]);
    const report = JSON.parse(ok(["keys", "register", "--registry", registry, "--component", "ovmf", "--key", keys["old"]!, "--end", "2026-06-01T00:00:00Z", "--json"])) as { change: string };
    expect(report.change).toBe("updated");
    const [old, current] = readRegistry(registry).components["ovmf"]!;
    expect(old!.validFor).toEqual({ start: "2025-01-01T00:00:00Z", end: "2026-06-01T00:00:00Z" });
    expect(old!.comment).toBe("first key");
    expect(current!.validFor).toEqual({ start: "2026-06-01T00:00:00Z" });
  });

  it("revokes with an end in the past without --start; `--end open` reopens; an end before the start is a usage error", () => {
    const work = tempDir("keys-revoke");
    const registry = join(work, "registry.json");
    const keys = publicKeys(join(work, "keys"), ["k"]);
    ok(["keys", "register", "--registry", registry, "--component", "initrd", "--key", keys["k"]!, "--start", "2024-01-01"]);
    ok(["keys", "register", "--registry", registry, "--component", "initrd", "--key", keys["k"]!, "--end", "2024-02-01T00:00:00Z", "--comment", "leaked"]);
    expect(readRegistry(registry).components["initrd"]![0]).toMatchObject({ validFor: { start: "2024-01-01T00:00:00Z", end: "2024-02-01T00:00:00Z" }, comment: "leaked" });
    ok(["keys", "register", "--registry", registry, "--component", "initrd", "--key", keys["k"]!, "--end", "open"]);
    expect(readRegistry(registry).components["initrd"]![0]!.validFor).toEqual({ start: "2024-01-01T00:00:00Z" });
    const before = readFileSync(registry, "utf8");
    const bad = runCli(["keys", "register", "--registry", registry, "--component", "initrd", "--key", keys["k"]!, "--end", "2023-12-31T23:59:59Z"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("reftrail: error: --end: the key's validity would end (2023-12-31T23:59:59Z) before it starts (2024-01-01T00:00:00Z)\n");
    expect(readFileSync(registry, "utf8")).toBe(before);
    // A new key given only a past end starts now: that window is empty, so it is refused.
    const other = publicKeys(join(work, "more"), ["j"]);
    expect(runCli(["keys", "register", "--registry", registry, "--component", "initrd", "--key", other["j"]!, "--end", "2024-02-01"]).status).toBe(2);
  });

  it("creates the registry, and its folder, where it is named", () => {
    const work = tempDir("keys-new-folder");
    const registry = join(work, "not", "yet", "registry.json");
    ok(["keys", "generate", "--component", "cmdline", "--out", join(work, "keys"), "--registry", registry]);
    expect(Object.keys(readRegistry(registry).components)).toEqual(["cmdline"]);
    expect(readdirSync(join(work, "not", "yet"))).toEqual(["registry.json"]);
  });

  it("names that are Object.prototype members are component names like any other", () => {
    const work = tempDir("keys-proto");
    const registry = join(work, "registry.json");
    const names = ["constructor", "toString", "valueOf", "hasOwnProperty"];
    ok(["keys", "generate", "--component", names.join(","), "--out", join(work, "keys"), "--registry", registry]);
    const extra = publicKeys(join(work, "extra"), names);
    for (const name of names) ok(["keys", "register", "--registry", registry, "--component", name, "--key", extra[name]!]);
    const listed = readRegistry(registry).components;
    expect(Object.keys(listed).sort()).toEqual([...names].sort());
    for (const name of names) expect(listed[name]).toHaveLength(2);
  });
});

describe("the README's rotation recipe", () => {
  it("a release published with the old key still verifies after the key is rotated out", async () => {
    const work = tempDir("keys-rotation-recipe");
    const registry = join(work, "registry.json");
    const keys = join(work, "keys");
    const out = join(work, "endorsements");
    const log = join(work, "log");
    const values = join(ROOT, "reference-values/2026.11.0.json");
    ok(["keys", "generate", "--component", "cmdline", "--out", keys, "--registry", registry]);
    ok(["endorse", "release", "--reference-values", values, "--component", "cmdline", "--key-dir", keys, "--out", out]);
    runCli(["publish", "release", "--endorsements", out, "--log", log]);
    const verify = () => runCli(["verify", "release", "--endorsements", out, "--key-registry", registry, "--rekor-key", join(log, "log-public-key.pem"), "--json"]);
    expect(verify().status).toBe(0);
    // Rotation happens later than the publication: at least the next second of the log's clock.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = join(work, "new-keys");
    ok(["keys", "generate", "--component", "cmdline", "--out", fresh]);
    ok(["keys", "register", "--registry", registry, "--component", "cmdline", "--key", join(fresh, "cmdline.public.pem")]);
    ok(["keys", "register", "--registry", registry, "--component", "cmdline", "--key", join(keys, "cmdline.public.pem"), "--end", new Date().toISOString().replace(/\.[0-9]+Z$/, "Z")]);
    const after = verify();
    expect(after.stdout).toContain('"verified": true');
    expect(after.status).toBe(0);
  });
});

describe("concurrent updates of one registry are never lost", () => {
  it("12 parallel `keys register` leave 12 components, and a revocation racing with them lands", async () => {
    const work = tempDir("keys-race");
    const registry = join(work, "registry.json");
    const names = Array.from({ length: 12 }, (_, i) => `component-${i}`);
    const keys = publicKeys(join(work, "keys"), [...names, "revoked"]);
    ok(["keys", "register", "--registry", registry, "--component", "revoked", "--key", keys["revoked"]!, "--start", "2025-01-01"]);
    const runs = await Promise.all([
      ...names.map((name) => runCliAsync(["keys", "register", "--registry", registry, "--component", name, "--key", keys[name]!])),
      runCliAsync(["keys", "register", "--registry", registry, "--component", "revoked", "--key", keys["revoked"]!, "--end", "2025-06-01"]),
    ]);
    for (const r of runs) {
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
    const listed = readRegistry(registry).components;
    expect(Object.keys(listed).sort()).toEqual([...names, "revoked"].sort());
    expect(listed["revoked"]![0]!.validFor).toEqual({ start: "2025-01-01T00:00:00Z", end: "2025-06-01T00:00:00Z" });
    expect(readdirSync(work).sort()).toEqual(["keys", "registry.json"]);
  });

  it("12 parallel `keys generate --registry` each land", async () => {
    const work = tempDir("keys-gen-race");
    const registry = join(work, "registry.json");
    const names = Array.from({ length: 12 }, (_, i) => `part-${i}`);
    const runs = await Promise.all(names.map((name) => runCliAsync(["keys", "generate", "--component", name, "--out", join(work, "keys"), "--registry", registry])));
    for (const r of runs) expect(r.status).toBe(0);
    expect(Object.keys(readRegistry(registry).components).sort()).toEqual([...names].sort());
  });

  it("a lock left by a killed process is broken by the next update", () => {
    const work = tempDir("keys-stale-lock");
    const registry = join(work, "registry.json");
    const module = pathToFileURL(join(ROOT, "dist/util/file-lock.js")).href;
    // The holder is killed inside its critical section: its lock file stays behind.
    const killed = spawnSync(process.execPath, ["--input-type=module", "-e", `const { withFileLock } = await import(${JSON.stringify(module)}); await withFileLock(${JSON.stringify(registry)}, () => process.kill(process.pid, "SIGKILL"));`]);
    expect(killed.signal).toBe("SIGKILL");
    expect(existsSync(`${registry}.lock`)).toBe(true);
    const keys = publicKeys(join(work, "keys"), ["k"]);
    ok(["keys", "register", "--registry", registry, "--component", "k", "--key", keys["k"]!]);
    expect(existsSync(`${registry}.lock`)).toBe(false);
    expect(Object.keys(readRegistry(registry).components)).toEqual(["k"]);
  });

  it("a registry that is not a regular file, or is malformed, is refused naming --registry, and no key is made", () => {
    const work = tempDir("keys-bad-registry");
    const registry = join(work, "registry.json");
    writeFileSync(registry, '{"version": 1, "components": {}, "components": {}}');
    const r = runCli(["keys", "generate", "--component", "k", "--out", join(work, "keys"), "--registry", registry]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^reftrail: error: --registry .*registry\.json: not accepted: the JSON repeats the key 'components' in one object\n$/);
    expect(existsSync(join(work, "keys", "k.private.pem"))).toBe(false);
    const fifo = join(work, "fifo.json");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const keys = publicKeys(join(work, "keys2"), ["k"]);
    const f = runCli(["keys", "register", "--registry", fifo, "--component", "k", "--key", keys["k"]!]);
    expect(f.status).toBe(2);
    expect(f.stderr).toBe(`reftrail: error: --registry ${fifo}: is not a regular file (a device, pipe or socket)\n`);
  });
});
