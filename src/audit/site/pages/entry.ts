import { html, jsonScript, type Html } from "../html.js";
import { page } from "../layout.js";
import type { SiteEntry, SiteModel } from "../model.js";
import { componentDir } from "../paths.js";
import { flagged, referenceValuesText, releaseText, timeText } from "./entry-text.js";

/** Launch-digest rows shown on an entry page; the measurement search has them all. */
const SHOWN_LAUNCH_DIGESTS = 200;

/** What the page script hands the browser verifier (the `verifyLoggedEntry` input, base64 for bytes). */
export interface EntryVerifyData {
  readonly statement: string | null;
  readonly signature: string;
  readonly entryId: string;
  readonly entry: SiteEntry["entry"];
  readonly componentKeyPem: string;
  readonly logKeyPem: string;
}

export const VERIFY_DATA_ID = "verify-input";

function launchDigests(e: SiteEntry): Html | "" {
  if (e.launchDigests.length === 0) return "";
  const rows = e.launchDigests.slice(0, SHOWN_LAUNCH_DIGESTS).map(
    (r) => html`<tr><td>${r.mode}</td><td>${r.vmm ?? "any"}</td><td>${r.vcpus ?? "any"}</td><td>${r.vcpuType ?? r.vcpuSignature ?? "—"}</td><td>${r.guestFeatures ?? "—"}</td><td>${r.kernel ?? "firmware only"}</td><td><code class="hex">${r.digest}</code></td><td>${r.origin}</td></tr>`,
  );
  return html`<section aria-labelledby="launch-heading">
<h2 id="launch-heading">Launch digests</h2>
<p>${e.launchDigests.length} launch digests per configuration${e.launchDigests.length > SHOWN_LAUNCH_DIGESTS ? `, the first ${SHOWN_LAUNCH_DIGESTS} shown (the measurement search finds every one)` : ""}. "recomputed": the site builder recomputed it from the endorsed values; "endorsed": as the statement states it.</p>
<div class="scroll" tabindex="0" role="region" aria-label="Launch digests table">
<table>
<caption>Launch digests of this firmware</caption>
<thead><tr><th scope="col">Mode</th><th scope="col">VMM</th><th scope="col">vCPUs</th><th scope="col">vCPU type</th><th scope="col">Guest features</th><th scope="col">Boot</th><th scope="col">Digest</th><th scope="col">Origin</th></tr></thead>
<tbody>${rows}</tbody>
</table>
</div>
</section>`;
}

/** An entry's page: everything a reader needs to check it, and the same data for the page script. */
export function entryPage(model: SiteModel, e: SiteEntry): string {
  const proof = e.entry.verification.inclusionProof;
  const statementText = e.statement === undefined ? undefined : new TextDecoder().decode(e.statement);
  const data: EntryVerifyData = {
    statement: e.statement === undefined ? null : Buffer.from(e.statement).toString("base64"),
    signature: e.signature,
    entryId: e.entryId,
    entry: e.entry,
    componentKeyPem: e.componentKeyPem,
    logKeyPem: model.log.publicKeyPem,
  };
  const { verification: _verification, ...entryFields } = e.entry;
  return page({
    title: `${e.component} log entry ${e.logIndex}`,
    root: "../",
    builtAt: model.builtAt,
    scripts: ["entry.js"],
    main: html`<h1>${e.component}: log entry ${e.logIndex}</h1>
<div id="browser-status" class="status none" role="status" aria-live="polite">
<p id="browser-status-text"><strong>Not verified in this browser.</strong> Nothing on this page has been checked here: what it shows is what the site builder wrote. With scripts on, this page re-verifies the signature, the inclusion proof and the checkpoint in your browser and says so.</p>
</div>
<ul id="browser-checks" class="checks" aria-label="Checks run in your browser"></ul>
<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<dl>
<dt>Component</dt><dd><a href="../${componentDir(e.component)}index.html">${e.component}</a></dd>
<dt>Release</dt><dd>${releaseText(e)}</dd>
<dt>Subject</dt><dd>${e.subject ? html`<code>${e.subject.name}</code> ${Object.entries(e.subject.digests).map(([a, d]) => html`<br>${a}: <code class="hex">${d}</code>`)}` : "unknown"}</dd>
<dt>Issued on</dt><dd>${e.issuedOn ?? "unknown"}</dd>
<dt>Valid</dt><dd>${e.validity ? `${e.validity.notBefore} to ${e.validity.notAfter}` : "unknown"}</dd>
<dt>Logged (integrated time)</dt><dd>${timeText(e.integratedTime)}</dd>
<dt>Entry id</dt><dd><code class="hex">${e.entryId}</code></dd>
<dt>Signing key id</dt><dd><code class="hex">${e.keyId}</code></dd>
<dt>Reference values</dt><dd${flagged(e) ? html` class="flagged"` : ""}>${flagged(e) ? html`<strong>Flagged:</strong> ` : ""}${referenceValuesText(e)}</dd>
</dl>
</section>
${launchDigests(e)}
<section aria-labelledby="statement-heading">
<h2 id="statement-heading">Statement</h2>
<p>SHA-256 as the log entry names it: <code class="hex">${e.statementSha256 || "none"}</code></p>
${statementText === undefined ? html`<p>The site builder has no statement with this digest: a log entry holds only its hash.</p>` : html`<pre id="raw-statement" tabindex="0" aria-label="Raw statement">${statementText}</pre>`}
</section>
<section aria-labelledby="signature-heading">
<h2 id="signature-heading">Signature</h2>
<p>ECDSA over the statement, base64:</p>
<pre id="raw-signature" tabindex="0" aria-label="Signature">${e.signature}</pre>
<h3>Component key</h3>
<pre>${e.componentKeyPem}</pre>
</section>
<section aria-labelledby="logentry-heading">
<h2 id="logentry-heading">Log entry</h2>
<pre tabindex="0" aria-label="Log entry">${JSON.stringify(entryFields, null, 2)}</pre>
<h3>Signed entry timestamp</h3>
<pre>${e.entry.verification.signedEntryTimestamp ?? "none"}</pre>
</section>
<section aria-labelledby="proof-heading">
<h2 id="proof-heading">Inclusion proof</h2>
${proof === undefined
  ? html`<p>The entry carries no inclusion proof.</p>`
  : html`<dl>
<dt>Leaf index</dt><dd>${proof.logIndex}</dd>
<dt>Tree size</dt><dd>${proof.treeSize}</dd>
<dt>Root hash</dt><dd><code class="hex">${proof.rootHash}</code></dd>
</dl>
<ol class="hashes">${proof.hashes.map((h) => html`<li><code class="hex">${h}</code></li>`)}</ol>
<h3>Checkpoint</h3>
<pre>${proof.checkpoint}</pre>`}
<h3>Log key</h3>
<pre>${model.log.publicKeyPem}</pre>
</section>
${jsonScript(VERIFY_DATA_ID, data)}`,
  });
}
