import { spawn, spawnSync } from "node:child_process";
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { ROOT } from "../helpers/fixtures.js";

/**
 * Where `--out` points at something other than a regular file (issue 10: run as root, `measure
 * release --out /dev/null` turned /dev/null into a regular file). Device nodes are made with mknod
 * in a temporary folder, never the machine's own /dev.
 */
const isRoot = process.getuid?.() === 0;
const rootOnly = isRoot ? it : it.skip;

/** The smallest release: a command line only, nothing to hash on disk. */
function manifestDir(): { dir: string; manifest: string } {
  const dir = mkdtempSync(join(tmpdir(), "reftrail-out-"));
  const manifest = join(dir, "release.json");
  writeFileSync(
    manifest,
    JSON.stringify({ version: 1, release: { name: "out-targets", version: "1" }, components: [{ name: "cmdline", kind: "cmdline", version: "1", value: "console=ttyS0" }] }),
  );
  return { dir, manifest };
}

function measureTo(out: string, manifest: string) {
  return runCli(["measure", "release", "--manifest", manifest, "--out", out]);
}

/** The document `measure release` prints to stdout, for comparison. */
function expectedDocument(manifest: string): string {
  const r = runCli(["measure", "release", "--manifest", manifest]);
  expect(r.status).toBe(0);
  return r.stdout;
}

function mknod(path: string, major: number, minor: number): void {
  const r = spawnSync("mknod", [path, "c", String(major), String(minor)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`mknod failed: ${r.stderr}`);
}

describe("--out onto targets that are not regular files", () => {
  rootOnly("writes through a /dev/null device node and leaves it a device (run as root: mknod)", () => {
    const { dir, manifest } = manifestDir();
    const nul = join(dir, "null");
    mknod(nul, 1, 3);
    const before = statSync(nul);
    const r = measureTo(nul, manifest);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const after = lstatSync(nul);
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
    expect(after.ino).toBe(before.ino);
  });

  rootOnly("refuses another character device (a /dev/zero twin) with one line, leaving it as it was", () => {
    const { dir, manifest } = manifestDir();
    const zero = join(dir, "zero");
    mknod(zero, 1, 5);
    const before = statSync(zero);
    const r = measureTo(zero, manifest);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`reftrail: error: --out ${zero}: is a character device, not a regular file: refusing to replace or write to it (omit --out to print to stdout)\n`);
    const after = lstatSync(zero);
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.ino).toBe(before.ino);
    expect(readdirSync(dir).sort()).toEqual(["release.json", "zero"]);
  });

  it("refuses a socket, which stays a socket", async () => {
    const { dir, manifest } = manifestDir();
    const sock = join(dir, "sock");
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      const r = measureTo(sock, manifest);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^reftrail: error: --out .*sock: is a socket, not a regular file: refusing to replace or write to it \(omit --out to print to stdout\)\n$/);
      expect(lstatSync(sock).isSocket()).toBe(true);
    } finally {
      server.close();
    }
  });

  it("writes through a FIFO to its reader, as a shell redirection does; the FIFO stays", async () => {
    const { dir, manifest } = manifestDir();
    const fifo = join(dir, "fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const reader = spawn("cat", [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on("data", (c: Buffer) => chunks.push(c));
    const done = new Promise<number | null>((resolve) => reader.on("close", resolve));
    const writer = spawn(process.execPath, [join(ROOT, "dist/cli/main.js"), "measure", "release", "--manifest", manifest, "--out", fifo]);
    const status = await new Promise<number | null>((resolve) => writer.on("close", resolve));
    // A writer that replaced the FIFO leaves its reader waiting forever: stop it before failing.
    if (!lstatSync(fifo).isFIFO()) reader.kill();
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(status).toBe(0);
    expect(await done).toBe(0);
    expect(Buffer.concat(chunks).toString("utf8")).toBe(expectedDocument(manifest));
  });

  it("/dev/stdout is the process's standard output, not a file to replace", () => {
    const { manifest } = manifestDir();
    const r = measureTo("/dev/stdout", manifest);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith(expectedDocument(manifest))).toBe(true);
  });

  it("refuses a directory", () => {
    const { dir, manifest } = manifestDir();
    mkdirSync(join(dir, "folder"));
    const r = measureTo(join(dir, "folder"), manifest);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/folder: is a directory, expected a file\n$/);
  });
});

describe("--out onto regular files and symlinks", () => {
  it("replaces the file a symlink names and keeps the link", () => {
    const { dir, manifest } = manifestDir();
    mkdirSync(join(dir, "real"));
    const target = join(dir, "real", "rv.json");
    writeFileSync(target, "old\n");
    const link = join(dir, "rv.json");
    symlinkSync("real/rv.json", link);
    const r = measureTo(link, manifest);
    expect(r.status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, "utf8")).toBe(expectedDocument(manifest));
    expect(readdirSync(join(dir, "real"))).toEqual(["rv.json"]);
  });

  it("creates the file a dangling symlink names, as `> link` would", () => {
    const { dir, manifest } = manifestDir();
    const link = join(dir, "rv.json");
    symlinkSync("new.json", link);
    expect(measureTo(link, manifest).status).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "new.json"), "utf8")).toBe(expectedDocument(manifest));
  });

  it("keeps an existing file's mode: 0600 stays 0600, 0664 stays 0664 whatever the umask", () => {
    const { dir, manifest } = manifestDir();
    for (const mode of [0o600, 0o664, 0o640]) {
      const out = join(dir, `rv-${mode.toString(8)}.json`);
      writeFileSync(out, "old\n");
      chmodSync(out, mode);
      expect(measureTo(out, manifest).status).toBe(0);
      expect(statSync(out).mode & 0o777).toBe(mode);
      expect(readFileSync(out, "utf8")).toBe(expectedDocument(manifest));
    }
  });

  it("gives a new file the usual 0644 (less the umask)", () => {
    const { dir, manifest } = manifestDir();
    const out = join(dir, "rv.json");
    expect(measureTo(out, manifest).status).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o644 & ~process.umask());
  });
});

describe("--out DIR of commands that write folders", () => {
  it("keys generate and endorse release refuse a file or device as their folder with one line", () => {
    const { dir } = manifestDir();
    const file = join(dir, "release.json");
    const keys = runCli(["keys", "generate", "--component", "a", "--out", "/dev/null"]);
    expect(keys.status).toBe(2);
    expect(keys.stderr).toBe("reftrail: error: --out /dev/null: exists and is not a folder\n");
    expect(runCli(["keys", "generate", "--component", "cmdline", "--out", join(dir, "keys")]).status).toBe(0);
    const endorse = runCli(["endorse", "release", "--reference-values", join(ROOT, "reference-values/2026.11.0.json"), "--component", "cmdline", "--key-dir", join(dir, "keys"), "--out", join(file, "x")]);
    expect(endorse.status).toBe(2);
    expect(endorse.stderr).toBe(`reftrail: error: --out ${join(file, "x")}: is inside something that is not a folder\n`);
  });
});
