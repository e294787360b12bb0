import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterEach } from "vitest";
import { RekorClient } from "../../src/tlog/client.js";
import { EmbeddedLog, initLog } from "../../src/tlog/embedded/log.js";
import { inProcessTransport } from "../../src/tlog/embedded/in-process.js";
import { tempDir } from "./tlog.js";

/** An embedded log opened in-process for an auditor test, with its folder (to copy it). */
export interface TestLog {
  readonly dir: string;
  readonly log: EmbeddedLog;
  readonly client: RekorClient;
}

/** Embedded logs a test file opens, each closed after its test. Call once at the top of the file. */
export function testLogs(prefix: string): { newLog(): TestLog; copy(source: TestLog): TestLog } {
  const opened: EmbeddedLog[] = [];
  afterEach(() => {
    for (const log of opened.splice(0)) log.close();
  });
  const open = (dir: string): TestLog => {
    const log = EmbeddedLog.open(dir);
    opened.push(log);
    return { dir, log, client: new RekorClient(inProcessTransport(log)) };
  };
  return {
    newLog() {
      const dir = join(tempDir(prefix), "log");
      initLog(dir, `${prefix}.test.example`);
      return open(dir);
    },
    /** A copy of the log as it is now: the same key and tree, free to grow another history. */
    copy(source) {
      const dir = join(tempDir(`${prefix}-copy`), "log");
      cpSync(source.dir, dir, { recursive: true });
      return open(dir);
    },
  };
}
