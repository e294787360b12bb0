import { publicKeyPem } from "../../keys/component-keys.js";
import type { ComponentKey, LoadedRegistry } from "../../keys/registry.js";
import type { AuditHistory, HistoryEntry } from "../../schema/audit-history.js";
import type { RekorClient } from "../../tlog/client.js";
import type { TrustedLogKey } from "../../tlog/keys.js";
import { formatRfc3339 } from "../../util/rfc3339.js";
import type { AuditorState } from "../auditor-state.js";
import { componentHistory, type LoggedHistoryEntry } from "../history/history.js";
import type { ReferenceValuesLookup, ReleasedStatements } from "../monitor/released.js";
import { SiteWriter, type SiteBuild } from "./build.js";
import { launchDigestRows } from "./launch-index.js";
import type { SiteEntry, SiteKey, SiteLog } from "./model.js";

export interface SiteSources {
  readonly client: RekorClient;
  readonly log: TrustedLogKey;
  readonly registry: LoadedRegistry;
  readonly statements: ReleasedStatements;
  /** Given: every entry is compared with the reference-values documents, and those matching none are flagged. */
  readonly referenceValues?: ReferenceValuesLookup;
  /** The auditor's state: each component's history checks the log against it; the result is returned, not stored. */
  readonly state: AuditorState;
  readonly now: Date;
  /** Called as entries are written (a progress counter). */
  readonly onEntry?: (component: string, written: number) => void;
}

export interface SiteRun {
  readonly build: SiteBuild;
  readonly log: SiteLog;
  readonly components: number;
  /** Entries that failed a check at build or match no reference-values document. */
  readonly flagged: number;
  /** Whether every component's history verified (its whole checks). */
  readonly verified: boolean;
  /** The auditor's state after the run: store it when `log.audit.advanced`. */
  readonly state: AuditorState;
}

function siteKey(k: ComponentKey): SiteKey {
  return {
    keyId: k.keyId,
    publicKeyPem: publicKeyPem(k.key),
    ...(k.validFor !== undefined ? { validFrom: formatRfc3339(k.validFor.start) } : { validFrom: "unknown" }),
    ...(k.validFor?.end !== undefined ? { validUntil: formatRfc3339(k.validFor.end) } : {}),
  };
}

function siteEntry(component: string, row: HistoryEntry, logged: LoggedHistoryEntry, keyPem: string): SiteEntry {
  const own = logged.statement?.content?.reftrail;
  return {
    component,
    history: row,
    componentKeyPem: keyPem,
    signature: logged.signature,
    entry: logged.entry,
    ...(logged.statement !== undefined ? { statement: logged.statement.bytes } : {}),
    launchDigests: own?.component.kind === "firmware" ? launchDigestRows(own.component) : [],
  };
}

/**
 * The log as the site shows it, from the component histories of one build: the newest checkpoint,
 * the auditor's stored one from before the build (the first history compared with it; later ones
 * compare with what the first stored), and the first log problem any history met.
 */
function siteLog(sources: SiteSources, runs: readonly AuditHistory["log"][]): SiteLog {
  const first = runs[0];
  const last = runs[runs.length - 1];
  const problem = runs.find((r) => r.problem !== undefined);
  const { stored: _stored, ...newest } = last ?? { source: sources.log.source, logId: sources.log.identity.logId, advanced: false };
  const audit: AuditHistory["log"] = problem ?? { ...newest, ...(first?.stored ? { stored: first.stored } : {}), advanced: runs.some((r) => r.advanced) };
  return { source: sources.log.source, publicKeyPem: publicKeyPem(sources.log.identity.publicKey), audit };
}

/**
 * Builds the web viewer from the auditor's history of every component of the registry (in name
 * order): `componentHistory` reads and judges the entries, and each is written out as it comes,
 * with its log entry and statement for the browser to verify again. The auditor's state threads
 * through the components; the caller stores the returned one.
 */
export async function buildSite(sources: SiteSources, out: string, verifyBundle: string): Promise<SiteRun> {
  const ctx = { builtAt: sources.now.toISOString(), logKeyPem: publicKeyPem(sources.log.identity.publicKey), referenceValuesChecked: sources.referenceValues !== undefined };
  const writer = new SiteWriter(out, ctx, verifyBundle);
  const runs: AuditHistory["log"][] = [];
  let state = sources.state;
  let verified = true;
  const names = [...sources.registry.keysByComponent.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const keys = sources.registry.keysByComponent.get(name) ?? [];
    const pems = new Map(keys.map((k) => [k, publicKeyPem(k.key)]));
    let written = 0;
    const run = await componentHistory({
      component: name,
      client: sources.client,
      log: sources.log,
      registry: sources.registry,
      statements: sources.statements,
      ...(sources.referenceValues !== undefined ? { referenceValues: sources.referenceValues } : {}),
      state,
      now: BigInt(sources.now.getTime()) * 1_000_000n,
      logged: true,
      onEntry: (row, logged) => {
        const e = siteEntry(name, row, logged!, pems.get(logged!.key)!);
        writer.entry(e);
        sources.onEntry?.(name, ++written);
      },
    });
    state = run.state;
    runs.push(run.history.log);
    verified &&= run.history.verified;
    writer.endComponent({ name, keys: keys.map(siteKey), verified: run.history.verified, checks: run.history.checks });
  }
  const log = siteLog(sources, runs);
  const build = writer.finish(log);
  return { build, log, components: names.length, flagged: writer.flaggedEntries, verified, state };
}
