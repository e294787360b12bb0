import { randomBytes } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { beforeAll, describe, expect, it } from "vitest";
import { RekorClient } from "../../src/tlog/client.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { EmbeddedLog, initLog } from "../../src/tlog/embedded/log.js";
import { runCli } from "../helpers/cli.js";
import { expectRejected } from "../helpers/expect.js";
import { hashedRekord, newSigner, tempDir } from "../helpers/tlog.js";

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

/** A log folder with entries, closed (its WAL folded into log.db), as a copy would find it. */
async function logWithEntries(dir: string): Promise<void> {
  initLog(dir);
  const log = EmbeddedLog.open(dir);
  const client = new RekorClient(inProcessTransport(log));
  const signer = newSigner();
  await Promise.all(Array.from({ length: 300 }, (_, i) => client.createEntry(hashedRekord(signer, Buffer.from(`entry ${i}`)))));
  log.close();
}

describe("a --log DIR that holds no usable log is named, for every log command", () => {
  const root = tempDir("cli-log-broken");
  const good = join(root, "good");
  beforeAll(() => logWithEntries(good));
  /** A copy of the good log with `log.db` (or another file) replaced. */
  const broken = (name: string, change: (dir: string) => void) => {
    const dir = join(root, name);
    cpSync(good, dir, { recursive: true });
    change(dir);
    return dir;
  };
  const cases: [string, () => string, string][] = [
    ["missing", () => join(root, "missing"), "does not exist"],
    ["a file", () => broken("file", (d) => (rmSync(d, { recursive: true }), writeFileSync(d, "x"))), "is not a folder"],
    ["a folder without log.db", () => broken("no-db", (d) => rmSync(join(d, "log.db"))), "has no log.db"],
    ["log.db of random bytes", () => broken("random", (d) => writeFileSync(join(d, "log.db"), randomBytes(64 << 10))), "log.db is not a SQLite database"],
    ["log.db truncated to half", () => broken("truncated", (d) => truncateSync(join(d, "log.db"), Math.floor(statSync(join(d, "log.db")).size / 8192) * 4096)), "log.db is corrupt"],
    ["log.db an empty file", () => broken("empty", (d) => writeFileSync(join(d, "log.db"), "")), "log.db is not a reftrail log database"],
    ["log.db a folder", () => broken("db-folder", (d) => (rmSync(join(d, "log.db")), mkdirSync(join(d, "log.db")))), "log.db is not a regular file"],
    ["log-key.pem not a key", () => broken("bad-key", (d) => writeFileSync(join(d, "log-key.pem"), "not a key\n", { mode: 0o600 })), "log-key.pem is not a PEM private key"],
  ];
  it.each(cases)("%s", (_, make, problem) => {
    const dir = make();
    for (const verb of ["info", "trusted-root", "serve"]) {
      // serve is killed if it starts: it must not.
      expectRejected(runCli(["log", verb, "--log", dir, ...(verb === "serve" ? ["--port", "0"] : [])], { timeoutMs: 20_000 }), `--log ${dir}: `, problem);
    }
  });
  it("another SQLite database in log.db is refused and left as it was (not switched to WAL, no tables added)", () => {
    const dir = broken("other-db", (d) => {
      rmSync(join(d, "log.db"));
      const db = new DatabaseSync(join(d, "log.db"));
      db.exec("CREATE TABLE notes (text TEXT)");
      db.close();
    });
    const before = readFileSync(join(dir, "log.db"));
    expectRejected(runCli(["log", "info", "--log", dir]), `--log ${dir}: `, "is not a reftrail log database");
    expect(readFileSync(join(dir, "log.db")).equals(before)).toBe(true);
    expect(existsSync(join(dir, "log.db-wal"))).toBe(false);
  });
  it("a folder the user cannot read", (ctx) => {
    // Root reads anything: as root, run the command as nobody, which needs a checkout nobody can
    // reach (a clone under a 0700 folder such as mktemp -d's is not).
    const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (process.getuid?.() === 0 && runCli(["--version"], asOther).status !== 0) {
      ctx.skip("run as root in a checkout the user nobody cannot reach: no other user to be refused");
    }
    const dir = broken("unreadable", (d) => chmodSync(d, 0));
    expectRejected(runCli(["log", "info", "--log", dir], asOther), `--log ${dir}: `, "permission denied");
    chmodSync(dir, 0o700);
  });
  it("log init names --log when the folder cannot be made, and --name for a bad name", () => {
    const file = join(root, "plain-file");
    writeFileSync(file, "x");
    expectRejected(runCli(["log", "init", "--log", file]), `--log ${file}: `, "is not a folder");
    expectRejected(runCli(["log", "init", "--log", join(file, "sub")]), `--log ${join(file, "sub")}: `, "is a file");
    expectRejected(runCli(["log", "init", "--log", join(root, "named"), "--name", "not a host"]), "--name: ", "not a host name");
  });
});

describe("log serve names the option at fault when it cannot listen", () => {
  const dir = join(tempDir("cli-log-listen"), "log");
  initLog(dir);
  it.each([
    ["999.1.1.1", "neither an IP address nor a host name"],
    ["nonexistent.invalid", "neither an IP address nor a host name"],
    ["192.0.2.1", "not an address of this machine"],
  ])("--host %s", (host, problem) => {
    expectRejected(runCli(["log", "serve", "--log", dir, "--host", host, "--port", "0"], { timeoutMs: 20_000 }), `--host ${host}: `, problem);
  });
  it("--port in use", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      expectRejected(runCli(["log", "serve", "--log", dir, "--port", String(port)], { timeoutMs: 20_000 }), `--port ${port}: `, "already in use");
    } finally {
      taken.close();
    }
  });
});
