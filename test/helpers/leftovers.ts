import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect } from "vitest";
import { ROOT } from "./fixtures.js";

/**
 * Makes the leftovers a killed reftrail run leaves: a temporary file and a staging folder named by
 * the compiled code, in a process that is then killed with SIGKILL before it can clean up.
 */
export function leftoversOfKilledProcess(dir: string, targets: readonly string[]): string[] {
  const module = pathToFileURL(join(ROOT, "dist/util/temp-files.js")).href;
  const script = `
    const { tempPathFor } = await import(${JSON.stringify(module)});
    const { mkdirSync, writeFileSync } = await import("node:fs");
    const made = [];
    for (const [i, target] of ${JSON.stringify(targets)}.entries()) {
      const temp = tempPathFor(target);
      if (i % 2 === 0) writeFileSync(temp, "-----BEGIN PRIVATE KEY-----\\n", { mode: 0o600 });
      else { mkdirSync(temp); writeFileSync(temp + "/endorsement.json", "{}"); }
      made.push(temp);
    }
    process.stdout.write(JSON.stringify(made));
    process.kill(process.pid, "SIGKILL");
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" });
  expect(r.signal).toBe("SIGKILL");
  const made = JSON.parse(r.stdout) as string[];
  for (const path of made) expect(existsSync(path)).toBe(true);
  return made.map((p) => basename(p));
}

