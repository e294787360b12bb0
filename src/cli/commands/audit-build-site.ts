import { statementsInMemory } from "../../audit/monitor/released.js";
import { browserBundlePath } from "../../audit/browser/bundle-path.js";
import { writeSite } from "../../audit/site/build.js";
import { siteModel } from "../../audit/site/history-adapter.js";
import { embeddedEntries, remoteEntries, type LoggedEntries } from "../../audit/site/logged-entries.js";
import { referenceValuesFolder } from "../../audit/site/reference-folder.js";
import { RekorClient, displayUrl, httpTransport } from "../../tlog/client.js";
import { keptStatements } from "../../tlog/embedded/statements.js";
import { checkLogUrl } from "../../tlog/target.js";
import { logIdentity, publicKeyFromPem } from "../../tlog/keys.js";
import { statementsInFolders } from "../../verify/load/evidence-endorsements.js";
import { logFromKeyFile } from "../../verify/load/trusted-logs.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { fileSubject } from "../input.js";
import { registryOption } from "../key-registry.js";
import { openLogDir } from "../log-dir.js";
import { json, warn } from "../output.js";

const NAME = "audit build-site";
const OPTIONS = {
  out: { type: "string", value: "DIR", description: "folder to write the site into (required)" },
  log: { type: "string", value: "DIR", description: "an embedded log folder (it keeps the statements it logged)" },
  "rekor-url": { type: "string", value: "URL", description: "a Rekor v1 server (or `reftrail log serve`): entries found by component key" },
  "rekor-key": { type: "string", value: "FILE", description: "with --rekor-url: the server's public key (default: the key it serves)" },
  endorsements: { type: "string", value: "DIR", description: "published endorsement folders: the statements a Rekor entry holds only the hash of" },
  "key-registry": { type: "string", value: "FILE", description: "key registry: the components and their keys (required)" },
  "reference-values": { type: "string", value: "DIR", description: "reference-values documents (<version>.json): entries matching none are highlighted" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function entriesOf(o: { log?: string | undefined; "rekor-url"?: string | undefined; "rekor-key"?: string | undefined }): Promise<{ entries: LoggedEntries; close(): void }> {
  if ((o.log === undefined) === (o["rekor-url"] === undefined)) throw new UsageError("give exactly one of --log and --rekor-url");
  if (o.log !== undefined) {
    const log = openLogDir(o.log);
    return { entries: embeddedEntries(log, `log ${o.log}`), close: () => log.close() };
  }
  const url = o["rekor-url"]!;
  checkLogUrl(url, "--rekor-url");
  const client = new RekorClient(httpTransport(url, { timeoutMs: 30_000, retries: 2 }));
  const source = displayUrl(url).replace(/\/+$/, "");
  const pinned = o["rekor-key"] === undefined ? undefined : logFromKeyFile(o["rekor-key"], fileSubject("--rekor-key", o["rekor-key"]));
  const log = pinned ?? { identity: logIdentity(publicKeyFromPem(await client.getPublicKey())), source };
  return { entries: remoteEntries(client, { ...log, source }), close() {} };
}

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--out DIR (--log DIR | --rekor-url URL [--rekor-key FILE] [--endorsements DIR]) --key-registry FILE [--reference-values DIR] [--json]",
    summary:
      "Writes the web viewer as static files (for GitHub Pages or any web server): the components, each one's timeline, a page per log entry that re-verifies it in the browser, and a measurement search over the endorsed launch digests. `reftrail audit serve --dir DIR` serves it locally.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["out", "key-registry"]);
  if (o.endorsements !== undefined && o.log !== undefined) throw new UsageError("--endorsements goes with --rekor-url (an embedded log keeps its statements)");
  const registry = registryOption("--key-registry", o["key-registry"])!;
  const statements = statementsInMemory(
    o.log !== undefined
      ? keptStatements(o.log).map((bytes) => ({ bytes, source: `log ${o.log}` }))
      : o.endorsements !== undefined
        ? [...statementsInFolders(o.endorsements, fileSubject("--endorsements", o.endorsements)).values()].map((bytes) => ({ bytes, source: `--endorsements ${o.endorsements}` }))
        : [],
  );
  const source = await entriesOf(o);
  let model;
  try {
    model = await siteModel({
      entries: source.entries,
      registry: registry.loaded,
      registrySource: registry.source,
      statements,
      ...(o["reference-values"] !== undefined ? { referenceValues: referenceValuesFolder(o["reference-values"]) } : {}),
      now: new Date(),
    });
  } finally {
    source.close();
  }
  const bundle = browserBundlePath();
  const built = writeSite(model, o.out!, bundle);
  if (!built.verifierCopied) warn(`the browser verifier ${bundle} is missing (run npm run build): entry pages will say they could not verify`);
  if (statements.size === 0) warn("no statements were given (--endorsements DIR): entry pages show the log entries without their statements, and cannot verify them");
  process.stdout.write(
    o.json
      ? json({ out: o.out, ...built })
      : `wrote ${built.files} files (${(built.bytes / 1e6).toFixed(1)} MB) to ${o.out}: ${model.components.length} components, ${built.entries} entries, ${built.launchDigests} indexed launch digests; largest page ${built.largestPage.file} (${(built.largestPage.bytes / 1024).toFixed(0)} KiB)\n`,
  );
  return ExitCode.OK;
}

export const command: Command = { run };
