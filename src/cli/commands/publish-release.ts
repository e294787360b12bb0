import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { ENDORSEMENT_FILES, ENDORSEMENT_FILE_LIMITS, endorsementPath } from "../../endorse/files.js";
import type { PublishedComponent } from "../../endorse/publish.js";
import { publishEndorsement } from "../../verify/endorsement/publish-gate.js";
import { logPaths } from "../../tlog/embedded/log.js";
import { embeddedLogTarget, remoteLogTarget, type LogTarget } from "../../tlog/target.js";
import { readRegularFile } from "../../util/read-file.js";
import { ReftrailError } from "../../util/errors.js";
import { COMMON_OPTIONS, commandOptions, parseSmallInteger, splitList, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { fileSubject, readTextInput } from "../input.js";
import { registryOption } from "../key-registry.js";
import { formatTable, json, warn } from "../output.js";
import { DEFAULT_LOG_DIR } from "../log-dir.js";

const NAME = "publish release";
const OPTIONS = {
  endorsements: { type: "string", value: "DIR", description: "folder with one signed folder per component (`reftrail endorse release --out`) (required)" },
  component: { type: "string", multiple: true, value: "NAME[,NAME…]", description: "publish only these components (default: every folder) (repeatable)" },
  "rekor-url": { type: "string", value: "URL", description: "a Rekor v1 server: https://rekor.sigstore.dev, a self-hosted Rekor, `reftrail log serve` (default: the embedded log)" },
  "rekor-key": { type: "string", value: "FILE", description: "the server's public key (PEM); without it rekor.sigstore.dev's key is pinned, and any other server's served key is trusted, with a warning" },
  "rekor-name": { type: "string", value: "HOST", description: "the name the server signs checkpoints with, e.g. rekor.sigstore.dev (default: as its checkpoints say)" },
  log: { type: "string", value: "DIR", description: `embedded log directory when no --rekor-url is given (default ${DEFAULT_LOG_DIR}; created if missing)` },
  "key-registry": { type: "string", value: "FILE", description: "key registry: refuse any endorsement not signed by a key registered for its component now (as verify checks)" },
  timeout: { type: "string", value: "SECONDS", description: "per-request timeout for --rekor-url (default 30)" },
  retries: { type: "string", value: "N", description: "retries with back-off on network errors, timeouts, 408, 429 and 5xx (default 3)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

function componentDirs(root: string, only: Set<string> | undefined): { name: string; dir: string }[] {
  let names: string[];
  try {
    names = readdirSync(root).filter((n) => !n.startsWith(".")).sort();
  } catch {
    throw new UsageError("is not a readable folder", `--endorsements ${root}`);
  }
  const isFolder = (path: string) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  };
  const dirs = names.map((name) => ({ name, dir: join(root, name) })).filter((d) => isFolder(d.dir) && existsSync(join(d.dir, ENDORSEMENT_FILES.statement)));
  for (const name of only ?? []) if (!dirs.some((d) => d.name === name)) throw new UsageError(`${root} has no endorsed component '${name}'`, "--component");
  const selected = dirs.filter((d) => only === undefined || only.has(d.name));
  if (selected.length === 0) throw new UsageError(`holds no component folder with ${ENDORSEMENT_FILES.statement}`, `--endorsements ${root}`);
  return selected;
}

function openTarget(o: { "rekor-url"?: string | undefined; "rekor-key"?: string | undefined; "rekor-name"?: string | undefined; log?: string | undefined }, timeoutMs: number, retries: number): Promise<LogTarget> | LogTarget {
  const url = o["rekor-url"];
  if (url === undefined) {
    const dir = o.log ?? DEFAULT_LOG_DIR;
    return embeddedLogTarget(dir, `--log ${dir}`, true);
  }
  const keyFile = o["rekor-key"];
  const pinnedKey = keyFile !== undefined ? { pem: readTextInput("--rekor-key", keyFile, 64 << 10), subject: fileSubject("--rekor-key", keyFile) } : undefined;
  return remoteLogTarget(url, { ...(pinnedKey ? { pinnedKey } : {}), ...(o["rekor-name"] !== undefined ? { name: o["rekor-name"] } : {}), timeoutMs, retries, subject: "--rekor-url" }).then((target) => {
    if (target.servedKeyTrusted) warn(`trusting the public key ${target.log.source} serves; pass --rekor-key to pin it`);
    return target;
  });
}

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `--endorsements DIR [--component NAME,…] [--key-registry FILE] [--rekor-url URL [--rekor-key FILE] [--rekor-name HOST] | --log DIR] [--json]`,
    summary: "Logs every signed component as a hashedrekord entry and writes logentry.json (Rekor's entry, as Oak stores it) and endorsement.sigstore.json (a Sigstore bundle) beside it. Re-running completes a half-done publish without duplicates.",
  });
  if (o === undefined) return ExitCode.OK;
  if (o.endorsements === undefined) throw new UsageError("the following argument is required: --endorsements");
  if (o["rekor-url"] !== undefined && o.log !== undefined) throw new UsageError("give --rekor-url or --log, not both");
  if (o["rekor-url"] === undefined && (o["rekor-key"] ?? o["rekor-name"]) !== undefined) throw new UsageError("--rekor-key and --rekor-name go with --rekor-url (the embedded log's key and name are known)");
  const only = o.component === undefined ? undefined : new Set(o.component.flatMap(splitList));
  const timeoutMs = o.timeout === undefined ? 30_000 : parseSmallInteger("--timeout", o.timeout, 3600) * 1000;
  if (timeoutMs === 0) throw new UsageError("must be at least 1 second", "--timeout");
  const registry = registryOption("--key-registry", o["key-registry"]);
  const dirs = componentDirs(o.endorsements, only);
  const retries = o.retries === undefined ? 3 : parseSmallInteger("--retries", o.retries, 20);
  const target = await openTarget(o, timeoutMs, retries);
  const results: (Awaited<ReturnType<typeof publishEndorsement>> & { component: string })[] = [];
  try {
    // One at a time: a failure stops the run with the components before it completed, and a
    // re-run picks up where it stopped.
    for (const { name, dir } of dirs) {
      try {
        const now = BigInt(Date.now()) * 1_000_000n;
        results.push({ component: name, ...(await publishEndorsement(dir, target.client, target.log, { now, ...(registry ? { registry } : {}) })) });
        target.keep?.(readRegularFile(endorsementPath(dir, "statement"), ENDORSEMENT_FILE_LIMITS.statement));
      } catch (err) {
        if (err instanceof ReftrailError) err.subject = `component ${name}${err.subject ? ` (${err.subject})` : ""}`;
        throw err;
      }
    }
  } finally {
    target.close();
  }
  if (o.json) process.stdout.write(json({ log: target.log.source, logId: target.log.identity.logId, ...(target.created ? { createdLog: target.created } : {}), published: results }));
  else {
    const count = (s: PublishedComponent["status"]) => results.filter((r) => r.status === s).length;
    const status = (r: (typeof results)[number]) => (r.status === "unchanged" && r.bundle === "written" ? "unchanged, bundle rebuilt" : r.status);
    process.stdout.write(
      (target.created ? `created a new embedded log ${target.created.origin} in ${target.created.dir} (its key: ${logPaths(target.created.dir).publicKey})\n` : "") +
        `${target.log.source}: ${count("logged")} logged, ${count("existing")} already in the log, ${count("unchanged")} unchanged\n` +
        formatTable(["component", "status", "log index", "integrated", "entry id"], results.map((r) => [r.component, status(r), String(r.logIndex), r.integratedTime, r.entryId])),
    );
  }
  return ExitCode.OK;
}

export const command: Command = { run };
