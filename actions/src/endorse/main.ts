import * as core from "@actions/core";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { endorseComponent } from "../../../src/endorse/endorse.js";
import { ENDORSEMENT_FILE_LIMITS, endorsementPath } from "../../../src/endorse/files.js";
import { keyIdOf, publicKeyPem } from "../../../src/keys/component-keys.js";
import { checkSigningKey } from "../../../src/keys/registry.js";
import { loadRegistry } from "../../../src/verify/load/keys.js";
import { measureRelease } from "../../../src/measure/release.js";
import { parseDocument } from "../../../src/schema/parse.js";
import { ReferenceValues } from "../../../src/schema/reference-values.js";
import { ReleaseManifest } from "../../../src/schema/release-manifest.js";
import { isPublicRekor } from "../../../src/tlog/public-rekor.js";
import { publishEndorsement } from "../../../src/verify/endorsement/publish-gate.js";
import { attributed, ReftrailError } from "../../../src/util/errors.js";
import { readInputText } from "../../../src/util/input-file.js";
import { readRegularFile } from "../../../src/util/read-file.js";
import { NS_PER_SECOND, formatRfc3339, parseRfc3339 } from "../../../src/util/rfc3339.js";
import { VERSION } from "../../../src/version.js";
import { ActionError } from "../common/errors.js";
import { openLogInput } from "../common/log-input.js";
import { gitHubClient } from "../common/github.js";
import { releaseByTag, type Release } from "../common/releases.js";
import { runContext } from "../common/runner.js";
import { checkAssetSafeName, checkUnpublishedConflicts, endorsementAssetName, restorePublished, uploadPublished } from "./endorsement-assets.js";
import { endorseInputs, type EndorseInputs } from "./inputs.js";
import { componentKeys } from "./keys.js";
import { proposeReferenceValues, referenceValuesOnDefaultBranch } from "./proposal.js";
import { downloadReleaseFiles } from "./release-files.js";
import { writeEndorseSummary, type LoggedComponent } from "./summary.js";

const MAX_MANIFEST_BYTES = 16 << 20;
const DAY_NS = 86_400n * NS_PER_SECOND;

/**
 * The endorsement's times come from the release, not the clock: the release's creation time, whole
 * seconds, is its issue time and start of validity. With deterministic signatures this makes a re-run
 * sign the very same bytes, so nothing it logs or uploads is a second copy.
 */
function validityOf(release: Release, validDays: number): { issuedOn: bigint; notBefore: bigint; notAfter: bigint } {
  const created = parseRfc3339(release.createdAt);
  if (created === undefined) throw new ActionError("GITHUB_API", `has created_at '${release.createdAt}', not an RFC 3339 time`, `release ${release.tag}`);
  const issuedOn = (created / NS_PER_SECOND) * NS_PER_SECOND;
  const notAfter = issuedOn + BigInt(validDays) * DAY_NS;
  const now = BigInt(Date.now()) * 1_000_000n;
  if (now > notAfter) {
    throw new ActionError("INPUT", `endorsements valid from the release's creation (${formatRfc3339(issuedOn)}) for ${validDays} days would have expired (${formatRfc3339(notAfter)}): raise valid-days`, "input 'valid-days'");
  }
  return { issuedOn, notBefore: issuedOn, notAfter };
}



/** Where a person sees a log entry: public Rekor's search page, or the server's own entry URL. */
function entryUrl(inputs: EndorseInputs, entryId: string, logIndex: number): string | null {
  if (inputs.log.kind === "folder") return null;
  if (isPublicRekor(inputs.log.url)) return `https://search.sigstore.dev/?logIndex=${logIndex}`;
  // Origin and path only: credentials or a query in the URL never reach an output or the summary.
  const base = new URL(inputs.log.url);
  return `${base.origin}${base.pathname.replace(/\/+$/, "")}/api/v1/log/entries/${entryId}`;
}

export async function endorseAction(): Promise<void> {
  const context = runContext();
  const inputs = endorseInputs(context);
  const manifest = parseDocument(ReleaseManifest, readInputText(inputs.manifest, `input 'manifest' ${inputs.manifest}`, MAX_MANIFEST_BYTES), inputs.manifest);
  for (const c of manifest.components) checkAssetSafeName(c.name);
  // Keys first: a missing secret fails the job before anything is downloaded, logged or uploaded.
  const keys = componentKeys(inputs.keyEnvPrefix, manifest.components.map((c) => c.name));
  const registry = inputs.keyRegistry !== undefined ? loadRegistry(inputs.keyRegistry, `input 'key-registry' ${inputs.keyRegistry}`) : undefined;
  const github = gitHubClient({ token: inputs.token, timeoutMs: inputs.timeoutMs, retries: inputs.retries });

  const release = await core.group(`release ${inputs.tag}`, async () => {
    const found = await releaseByTag(github, context, inputs.tag);
    core.info(`${found.htmlUrl}: ${found.assets.length} assets`);
    return found;
  });
  const validity = validityOf(release, inputs.validDays);
  const work = mkdtempSync(join(context.temp, "reftrail-endorse-"));
  const values = await core.group("measure", async () => {
    const { files, downloaded } = await downloadReleaseFiles(github, context, manifest, release, join(work, "assets"));
    for (const d of downloaded) core.info(`${d.component}: ${d.asset} (${d.size} bytes)`);
    // The release's version is its tag: the reference values and endorsements name the release they came from.
    const measured = await measureRelease({ ...manifest, release: { ...manifest.release, version: inputs.tag } }, files, `reftrail ${VERSION}`);
    return attributed("reference values", () => parseDocument(ReferenceValues, JSON.stringify(measured), "reference values"));
  });
  const valuesBytes = Buffer.from(`${JSON.stringify(values, null, 2)}\n`);
  const repositoryPath = `${inputs.referenceValuesDir}/${inputs.tag}.json`;
  const valuesFile = join(work, repositoryPath);
  mkdirSync(join(work, inputs.referenceValuesDir), { recursive: true });
  writeFileSync(valuesFile, valuesBytes);
  core.setOutput("reference-values", valuesFile);
  // Reference values already published for this tag must be these: a conflict stops the job before anything is logged.
  await referenceValuesOnDefaultBranch(github, context, repositoryPath, valuesBytes, inputs.tag);

  const now = BigInt(Date.now()) * 1_000_000n;
  if (registry !== undefined) for (const c of values.components) checkSigningKey(registry.loaded, registry.source, c.name, keys.get(c.name)!.publicKey, now);
  const endorsements = join(work, "endorsements");
  const keyIds = new Map<string, string>();
  await core.group("endorse", async () => {
    for (const c of values.components) {
      const key = keys.get(c.name)!;
      const restored = await restorePublished(github, context, release, c.name, join(endorsements, c.name), publicKeyPem(key.publicKey));
      let result;
      try {
        result = endorseComponent(endorsements, values.release, c, key, validity);
      } catch (err) {
        // What the release already holds is refused (other values, another key): name the asset, not the runner's folder.
        if (err instanceof ReftrailError && err.code === "ENDORSEMENT_EXISTS") {
          throw new ActionError("ASSET_CONFLICT", `does not endorse what release ${inputs.tag} measures now with this key (${err.message.split(";")[0]}); refusing to replace it`, `release asset ${endorsementAssetName(c.name, "statement")}`);
        }
        throw err;
      }
      await checkUnpublishedConflicts(github, context, release, c.name, join(endorsements, c.name));
      keyIds.set(c.name, keyIdOf(key.publicKey));
      core.info(`${c.name}: ${result.status}${restored.length > 0 ? ` (restored from the release: ${restored.join(", ")})` : ""}, key ${result.keyId.slice(0, 16)}…`);
    }
  });
  const report = { values, tag: inputs.tag, dryRun: inputs.dryRun, keyIds, path: repositoryPath };
  if (inputs.dryRun) {
    core.setOutput("log-entries", "[]");
    await writeEndorseSummary({ ...report, logged: [], log: "none (dry run)", assets: { uploaded: 0, kept: 0 } });
    core.info(`dry run: endorsements in ${endorsements}; nothing logged, uploaded or proposed`);
    return;
  }

  const target = await openLogInput(inputs.log, { create: true, timeoutMs: inputs.timeoutMs, retries: inputs.retries, why: "" });
  const logged: LoggedComponent[] = [];
  try {
    await core.group(`publish to ${target.log.source}`, async () => {
      for (const c of values.components) {
        const dir = join(endorsements, c.name);
        let published;
        try {
          published = await publishEndorsement(dir, target.client, target.log, { now: BigInt(Date.now()) * 1_000_000n, ...(registry ? { registry } : {}) });
        } catch (err) {
          throw err instanceof ReftrailError ? err.about(`component ${c.name}`) : err;
        }
        target.keep?.(readRegularFile(endorsementPath(dir, "statement"), ENDORSEMENT_FILE_LIMITS.statement));
        logged.push({ component: c.name, logIndex: published.logIndex, entryId: published.entryId, entryUrl: entryUrl(inputs, published.entryId, published.logIndex), status: published.status });
        core.info(`${c.name}: ${published.status} at log index ${published.logIndex}`);
      }
    });
  } finally {
    target.close();
  }
  core.setOutput("log-entries", JSON.stringify(logged.map(({ component, logIndex, entryId, entryUrl }) => ({ component, logIndex, entryId, entryUrl }))));

  const assets = { uploaded: 0, kept: 0 };
  await core.group("release assets", async () => {
    for (const c of values.components) {
      const outcomes = await uploadPublished(github, context, release, c.name, join(endorsements, c.name));
      for (const [name, outcome] of Object.entries(outcomes)) {
        assets[outcome === "uploaded" ? "uploaded" : "kept"]++;
        core.info(`${name}: ${outcome}`);
      }
    }
  });
  const proposal = await core.group("reference values", async () => {
    const result = await proposeReferenceValues(github, context, repositoryPath, valuesBytes, inputs.tag, inputs.pullRequest);
    core.info(`${repositoryPath}: ${result.kind === "pull-request" ? `${result.opened ? "opened" : "existing"} pull request ${result.url}` : `${result.kind} on ${result.branch}`}`);
    return result;
  });
  await writeEndorseSummary({ ...report, logged, log: target.log.source, assets, proposal });
}
