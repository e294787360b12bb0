/**
 * THE PART THE INTEGRATOR REPLACES: a minimal history of every component, read straight from a log
 * and its statements, until the auditor's `componentHistory` (src/audit/history/) lands; then
 * siteModel maps its rows to SiteEntry and this file goes.
 */
import { createHash } from "node:crypto";
import type { ComponentKey, LoadedRegistry } from "../../keys/registry.js";
import { publicKeyPem } from "../../keys/component-keys.js";
import { ProposedEntry, type LogEntry } from "../../schema/rekor.js";
import { entryLeaf } from "../../tlog/verify-entry.js";
import { ReftrailError } from "../../util/errors.js";
import { formatRfc3339 } from "../../util/rfc3339.js";
import { readEndorsement } from "../../verify/endorsement/statement.js";
import { CheckFailure } from "../../verify/endorsement/checks.js";
import { judgeEntry } from "../monitor/entry.js";
import type { ReferenceValuesLookup, ReleasedStatements } from "../monitor/released.js";
import { launchDigestRows } from "./launch-index.js";
import type { LoggedEntries } from "./logged-entries.js";
import type { ReferenceValuesStatus, SiteComponent, SiteEntry, SiteModel } from "./model.js";

export interface SiteSources {
  readonly entries: LoggedEntries;
  readonly registry: LoadedRegistry;
  readonly registrySource: string;
  readonly statements: ReleasedStatements;
  /** Given: every entry is compared with the reference-values documents (monitor's judgement). */
  readonly referenceValues?: ReferenceValuesLookup;
  readonly now: Date;
}

function body(entry: LogEntry): ProposedEntry | undefined {
  try {
    const parsed = ProposedEntry.safeParse(JSON.parse(Buffer.from(entryLeaf(entry).body).toString("utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch (err) {
    if (err instanceof ReftrailError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** What the statement says, when it can be read (the browser, not this, decides whether it verifies). */
function statementFacts(statement: Uint8Array | undefined): Pick<SiteEntry, "release" | "subject" | "issuedOn" | "validity" | "launchDigests"> {
  if (statement === undefined) return { launchDigests: [] };
  try {
    const content = readEndorsement(statement);
    const own = content.reftrail;
    return {
      ...(own !== undefined ? { release: own.release } : {}),
      subject: { name: content.subjectName, digests: Object.fromEntries(content.subjectDigests) },
      issuedOn: content.issuedOn,
      validity: content.validity,
      launchDigests: own?.component.kind === "firmware" ? launchDigestRows(own.component) : [],
    };
  } catch (err) {
    if (err instanceof CheckFailure) return { launchDigests: [] };
    throw err;
  }
}

async function siteEntry(component: string, key: ComponentKey, entryId: string, entry: LogEntry, sources: SiteSources, head: Awaited<ReturnType<LoggedEntries["head"]>>): Promise<SiteEntry> {
  const parsed = body(entry);
  const hash = parsed?.spec.data.hash;
  const statementSha256 = hash?.algorithm === "sha256" ? hash.value.toLowerCase() : "";
  const statement = statementSha256 ? (await sources.statements.find(statementSha256))?.bytes : undefined;
  let referenceValues: ReferenceValuesStatus = { status: "not-checked" };
  if (sources.referenceValues !== undefined) {
    const judged = await judgeEntry(entryId, entry, {
      component,
      key,
      registry: sources.registry,
      registrySource: sources.registrySource,
      log: sources.entries.log,
      head,
      statements: sources.statements,
      referenceValues: sources.referenceValues,
    });
    referenceValues =
      judged.outcome === "released"
        ? { status: "matches" }
        : { status: judged.outcome === "invalid" ? "invalid" : "no-match", reason: judged.problem === undefined ? judged.outcome : problemSentence(judged.problem.body) };
  }
  return {
    component,
    logIndex: entry.logIndex,
    entryId,
    integratedTime: entry.integratedTime,
    keyId: key.keyId,
    componentKeyPem: publicKeyPem(key.key),
    signature: parsed?.spec.signature.content ?? "",
    entry,
    ...(statement !== undefined ? { statement } : {}),
    statementSha256,
    referenceValues,
    ...statementFacts(statement),
  };
}

/** The monitor's problem in one plain sentence: the first line of its issue body, without Markdown emphasis. */
const problemSentence = (body: string): string => body.split("\n")[0]!.replace(/\*\*/g, "");

/** Every entry logged under each registered component key, newest first. */
export async function siteModel(sources: SiteSources): Promise<SiteModel> {
  const head = await sources.entries.head();
  const components: SiteComponent[] = [];
  for (const [name, keys] of [...sources.registry.keysByComponent].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const entries: SiteEntry[] = [];
    for (const key of keys) {
      for (const { entryId, entry } of await sources.entries.byKey(key)) entries.push(await siteEntry(name, key, entryId, entry, sources, head));
    }
    entries.sort((a, b) => b.logIndex - a.logIndex);
    components.push({
      name,
      keys: keys.map((k) => ({ keyId: k.keyId, publicKeyPem: publicKeyPem(k.key), validFrom: formatRfc3339(k.validFor!.start), ...(k.validFor?.end !== undefined ? { validUntil: formatRfc3339(k.validFor.end) } : {}) })),
      entries,
    });
  }
  return {
    builtAt: sources.now.toISOString(),
    log: { source: sources.entries.log.source, publicKeyPem: sources.entries.publicKeyPem, checkpoint: { size: head.checkpoint.size, rootHash: Buffer.from(head.checkpoint.rootHash).toString("hex"), note: head.note } },
    components,
    referenceValuesChecked: sources.referenceValues !== undefined,
  };
}

/** The SHA-256 a log body names for a statement (lower-case hex). */
export const statementDigest = (statement: Uint8Array): string => createHash("sha256").update(statement).digest("hex");
