/** `npm run bench [-- launch-digest|hashing|release|log-append|log-scale|verify-endorsements|verify-reports|verify-evidence|verify-oak|endorse-action|monitor|monitor-action|audit|site]`: every benchmark, or the named ones, in order. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "./common.js";

const ALL = ["launch-digest", "hashing", "release", "log-append", "log-scale", "verify-endorsements", "verify-reports", "verify-evidence", "verify-oak", "endorse-action", "monitor", "monitor-action", "audit", "site"];
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
for (const name of chosen) {
  if (!ALL.includes(name)) {
    process.stderr.write(`bench: unknown benchmark '${name}' (choose from ${ALL.join(", ")})\n`);
    process.exit(2);
  }
  process.stdout.write(`\n## ${name}\n\n`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "bench", `${name}.ts`)], { stdio: "inherit", cwd: ROOT });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
