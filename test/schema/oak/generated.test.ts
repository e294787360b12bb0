import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const committed = join(root, "src", "schema", "oak", "gen");
const buf = join(root, "node_modules", ".bin", "buf");

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function bufRuns(): boolean {
  try {
    execFileSync(buf, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

// The generated TypeScript is committed so that a clone builds without buf; this keeps it honest.
describe.skipIf(!existsSync(buf) || !bufRuns())("generated Oak protobuf code (skipped where the buf binary cannot run)", () => {
  const out = mkdtempSync(join(tmpdir(), "reftrail-protos-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("equals a fresh `buf generate` of proto/oak", () => {
    execFileSync(buf, ["generate", "-o", out], { cwd: root, env: { ...process.env, PATH: `${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}` }, stdio: "pipe" });
    const fresh = join(out, "src", "schema", "oak", "gen");
    expect(files(fresh)).toEqual(files(committed));
    for (const f of files(committed)) expect(readFileSync(join(fresh, f), "utf8"), f).toBe(readFileSync(join(committed, f), "utf8"));
  });
});
