import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/util/errors.js";
import { componentFolders, statementsInFolders } from "../../../src/verify/load/evidence-endorsements.js";
import { sha256sumOf } from "../../helpers/sha.js";
import { tempDir } from "../../helpers/tlog.js";

describe("endorsement folders for verify evidence", () => {
  it("finds component folders at depth one and inside release folders, nothing hidden, nothing else", () => {
    const dir = tempDir("evidence-folders");
    for (const path of ["ovmf", "2026.12.0/ovmf", "2026.12.0/kernel", ".staging/ovmf"]) {
      mkdirSync(join(dir, path), { recursive: true });
      writeFileSync(join(dir, path, "endorsement.json"), `{"path":"${path}"}`);
    }
    mkdirSync(join(dir, "empty"));
    writeFileSync(join(dir, "README"), "not a folder");
    expect(componentFolders(dir).map((f) => f.name)).toEqual(["2026.12.0/kernel", "2026.12.0/ovmf", "ovmf"]);
    const store = statementsInFolders(dir);
    expect([...store.keys()].sort()).toEqual(['{"path":"2026.12.0/kernel"}', '{"path":"2026.12.0/ovmf"}', '{"path":"ovmf"}'].map((s) => sha256sumOf(Buffer.from(s))).sort());
  });

  it("a dangling link among the folders is an input error naming it, not skipped", () => {
    const dir = tempDir("evidence-folders-link");
    mkdirSync(join(dir, "ovmf"));
    writeFileSync(join(dir, "ovmf", "endorsement.json"), "{}");
    symlinkSync(join(dir, "gone"), join(dir, "kernel"));
    expect(() => componentFolders(dir, "--endorsements D")).toThrow(/kernel cannot be read \(ENOENT\)/);
  });

  it("a missing folder is an input error naming it", () => {
    expect(() => componentFolders("/nonexistent/reftrail", "--endorsements /nonexistent/reftrail")).toThrow(InputError);
    expect(() => componentFolders("/nonexistent/reftrail", "--endorsements /nonexistent/reftrail")).toThrow(/not a readable folder/);
  });
});
