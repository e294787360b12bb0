import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { tempDir } from "../helpers/tlog.js";

describe("reftrail log init / info", () => {
  const dir = join(tempDir("cli-log"), "log");
  it("init creates the log and a private key readable by its owner only", () => {
    const result = runCli(["log", "init", "--log", dir, "--name", "cli.test.example", "--json"]);
    expect(result.status).toBe(0);
    const created = JSON.parse(result.stdout) as { name: string; treeId: string; logId: string };
    expect(created.name).toBe("cli.test.example");
    expect(created.logId).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(join(dir, "log-key.pem")).mode & 0o777).toBe(0o600);
    expect(result.stdout).not.toContain("PRIVATE KEY");
  });
  it("info prints size, root and the signed checkpoint", () => {
    const info = JSON.parse(runCli(["log", "info", "--log", dir, "--json"]).stdout) as { treeSize: number; rootHash: string; signedTreeHead: string; origin: string };
    expect(info.treeSize).toBe(0);
    expect(info.rootHash).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(info.signedTreeHead).toMatch(/^cli\.test\.example - \d+\n0\n47DEQpj8HBSa\+\/TImW\+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— cli\.test\.example /);
    expect(runCli(["log", "info", "--log", dir]).stdout).toMatch(/^log +cli\.test\.example - \d+\n/);
  });
  it("refuses a second init, a missing log, a bad name and a bad port", () => {
    expectRejected(runCli(["log", "init", "--log", dir]), "already holds a log");
    expectRejected(runCli(["log", "info", "--log", join(dir, "nope")]), "holds no log");
    expectRejected(runCli(["log", "init", "--log", join(dir, "other"), "--name", "not a host"]), "not a host name");
    expectRejected(runCli(["log", "serve", "--log", dir, "--port", "70000"]), "--port");
  });
  it("every log command names the folder --log, as publish release does; --data says it was renamed", () => {
    for (const verb of ["init", "info", "serve", "trusted-root"]) {
      expect(runCli(["log", verb, "--help"]).stdout).toContain("--log DIR");
      expectRejected(runCli(["log", verb, "--data", dir]), "--data", "renamed to --log");
      expectRejected(runCli(["log", verb, `--data=${dir}`]), "--data", "renamed to --log");
    }
  });
});
