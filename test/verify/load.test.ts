import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/util/errors.js";
import { keysFromKeyFile, keysFromRegistry } from "../../src/verify/load/keys.js";
import { loggedFromFiles, loggedFromFolder } from "../../src/verify/load/logged.js";
import { releaseFolders } from "../../src/verify/load/release-folders.js";
import { loadReport, loadVekBundle } from "../../src/verify/load/snp.js";
import { logFromKeyFile } from "../../src/verify/load/trusted-logs.js";
import { COMMITTED, ROOT } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/tlog.js";

/** The InputError `fn` throws. */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error("expected an InputError");
}

const oak = (f: string) => join(COMMITTED, "sigstore/oak", f);
const oakSignature = join(COMMITTED, "oak/oak_attestation_verification/testdata/endorsement.json.sig");

// The library is what the GitHub Actions and the viewer call: every failure is an InputError about
// the subject the caller chose, never a bare exception.
describe("verify/load: inputs from files", () => {
  it("reads Oak's logged endorsement: the entry is the one in logentry.json", () => {
    const logged = loggedFromFiles({ endorsement: oak("endorsement.json"), signature: oakSignature, logEntry: oak("logentry.json") });
    const [entryId, entry] = Object.entries(JSON.parse(readFileSync(oak("logentry.json"), "utf8")) as Record<string, { logIndex: number }>)[0]!;
    expect(logged.entryId).toBe(entryId);
    expect(logged.entry.logIndex).toBe(entry.logIndex);
    expect(Buffer.from(logged.statement)).toEqual(readFileSync(oak("endorsement.json")));
  });

  it("names a missing or malformed file by the subject the caller gives", () => {
    const missing = inputError(() => loggedFromFiles({ endorsement: "/nonexistent/endorsement.json", signature: oakSignature, logEntry: oak("logentry.json") }, { endorsement: "--endorsement X" }));
    expect([missing.code, missing.subject]).toEqual(["FILE_NOT_FOUND", "--endorsement X"]);
    const dir = tempDir("load");
    writeFileSync(join(dir, "logentry.json"), readFileSync(oak("logentry.json"), "utf8").slice(0, 100));
    const truncated = inputError(() => loggedFromFiles({ endorsement: oak("endorsement.json"), signature: oakSignature, logEntry: join(dir, "logentry.json") }));
    expect(truncated.subject).toBe(join(dir, "logentry.json"));
  });

  it("a component folder without a log entry or bundle is an input error naming the folder", () => {
    const dir = tempDir("load");
    copyFileSync(oak("endorsement.json"), join(dir, "endorsement.json"));
    const err = inputError(() => loggedFromFolder(dir));
    expect([err.code, err.subject]).toEqual(["FILE_NOT_FOUND", dir]);
  });

  it("release folders: components found, everything else skipped with its reason, an unlistable root refused", () => {
    const root = tempDir("load");
    mkdirSync(join(root, "kernel"));
    copyFileSync(oak("endorsement.json"), join(root, "kernel/endorsement.json"));
    mkdirSync(join(root, "initrd"));
    copyFileSync(oak("logentry.json"), join(root, "initrd/logentry.json"));
    mkdirSync(join(root, ".staging"));
    writeFileSync(join(root, "notes.txt"), "");
    expect(releaseFolders(root)).toEqual({
      found: [{ folder: "initrd", problem: "holds endorsement files but no endorsement.json" }, { folder: "kernel" }],
      skipped: [
        { name: ".staging", reason: "hidden: its name starts with '.'" },
        { name: "notes.txt", reason: "not a folder" },
      ],
    });
    const err = inputError(() => releaseFolders(join(root, "absent"), "--endorsements absent"));
    expect([err.code, err.subject]).toEqual(["FOLDER_NOT_READABLE", "--endorsements absent"]);
  });

  it("SNP: a real report and VCEK load; a truncated report is an input error about its subject", () => {
    const dir = join(COMMITTED, "snp-reports/virtee_milan");
    expect(loadReport(join(dir, "report.bin")).report.version).toBeGreaterThanOrEqual(2);
    expect(loadVekBundle(join(dir, "vcek.der")).ask).toBeUndefined();
    const tmp = tempDir("load");
    writeFileSync(join(tmp, "short.bin"), readFileSync(join(dir, "report.bin")).subarray(0, 1000));
    const err = inputError(() => loadReport(join(tmp, "short.bin"), "--report short.bin"));
    expect(err.subject).toBe("--report short.bin");
  });

  it("keys and logs: a log key in a component-key slot and vice versa are refused as KEY_FILE", () => {
    expect(keysFromKeyFile(oak("endorser_public_key.pem")).kind).toBe("keys");
    expect(logFromKeyFile(oak("rekor_public_key.pem")).identity.logId).toBe("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
    const err = inputError(() => logFromKeyFile(oak("endorsement.json"), "--rekor-key E"));
    expect([err.code, err.subject]).toEqual(["KEY_FILE", "--rekor-key E"]);
    expect(keysFromRegistry(join(ROOT, "examples/oak-key-registry.json")).kind).toBe("registry");
  });
});
