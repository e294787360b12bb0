import { browserBundlePath } from "../../audit/browser/bundle-path.js";
import { buildSite } from "../../audit/site/from-history.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, type OptionSpecs } from "../args.js";
import { AUDITOR_OPTIONS, AUDIT_SOURCE_OPTIONS, auditorInputs, openAuditLog } from "../audit.js";
import type { Command } from "../command.js";
import { ExitCode } from "../errors.js";
import { json, warn } from "../output.js";
import { counter } from "../counter.js";

const NAME = "audit build-site";
const OPTIONS = {
  out: { type: "string", value: "DIR", description: "folder to write the site into (required)" },
  ...AUDIT_SOURCE_OPTIONS,
  ...AUDITOR_OPTIONS,
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: "--out DIR (--log DIR | --rekor-url URL [--rekor-key FILE]) --key-registry FILE [--endorsements DIR] [--reference-values DIR] [--state DIR] [--json]",
    summary:
      "Writes the web viewer as static files (for GitHub Pages or any web server) from the auditor's history of every component of the key registry (the checks of `reftrail audit history`, what changed between releases, the log's checkpoint against the auditor's stored one): the components, each one's timeline, a page per log entry that re-verifies it in the browser, and a measurement search over the endorsed launch digests. `reftrail audit serve --dir DIR` serves it locally. Exit 0 when the site is written (failing and flagged entries are shown on it, and counted here), 2 on usage or input errors.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["out", "key-registry"]);
  const { storeState, ...inputs } = auditorInputs(o);
  const target = await openAuditLog(o);
  const bundle = browserBundlePath();
  const progress = counter("entries written");
  let site;
  try {
    site = await buildSite(
      {
        ...inputs,
        client: target.client,
        log: target.log,
        now: new Date(),
        onEntry: (component, written) => progress.update(component, written),
      },
      o.out!,
      bundle,
    );
  } finally {
    progress.end();
    target.close();
  }
  if (site.log.audit.advanced) storeState(site.state);
  const built = site.build;
  if (!built.verifierCopied) warn(`the browser verifier ${bundle} is missing (run npm run build): entry pages will say they could not verify`);
  if (o.log === undefined && o.endorsements === undefined) warn("no statements were given (--endorsements DIR): entry pages show the log entries without their statements, and cannot verify them");
  if (site.log.audit.problem) warn(`the log's checkpoint: ${site.log.audit.problem.kind}: ${site.log.audit.problem.title} (shown on the site; the auditor's state was kept)`);
  process.stdout.write(
    o.json
      ? json({ out: o.out, ...built, components: site.components, flagged: site.flagged, historiesVerified: site.verified, log: site.log.audit })
      : `wrote ${built.files} files (${(built.bytes / 1e6).toFixed(1)} MB) to ${o.out}: ${site.components} components, ${built.entries} entries (${site.flagged} failing or flagged), ${built.launchDigests} indexed launch digests; largest page ${built.largestPage.file} (${(built.largestPage.bytes / 1024).toFixed(0)} KiB)\n`,
  );
  return ExitCode.OK;
}

export const command: Command = { run };
