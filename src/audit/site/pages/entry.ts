import { html, jsonScript, type Html } from "../html.js";
import { page } from "../layout.js";
import type { SiteContext, SiteEntry } from "../model.js";
import { componentDir } from "../paths.js";
import { flagged, releaseText, statusText, timeText } from "./entry-text.js";

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

/** The auditor's checks when the site was built: what the builder verified, apart from what the browser does. */
function buildChecks(e: SiteEntry): Html {
  const rows = e.history.checks.map(
    (c) => html`<tr${c.status === "failed" ? html` class="flagged"` : ""}><th scope="row">${c.check}</th><td>${c.status}</td><td>${c.description}</td><td>${c.detail ?? c.actual ?? ""}</td></tr>`,
  );
  return html`<section aria-labelledby="build-checks-heading">
<h2 id="build-checks-heading">Checks when the site was built</h2>
<p>The auditor's checks (<code>reftrail audit history</code>), run by the site builder. They are not a verification in your browser: the box above says whether that happened.</p>
<div class="scroll" tabindex="0" role="region" aria-label="Checks when the site was built">
<table>
<caption>The builder's checks of this entry</caption>
<thead><tr><th scope="col">Check</th><th scope="col">Status</th><th scope="col">What it checks</th><th scope="col">Detail</th></tr></thead>
<tbody>${rows}</tbody>
</table>
</div>
</section>`;
}

function changes(e: SiteEntry): Html {
  const list = e.history.changes;
  return html`<dt>Changes since the entry before</dt><dd>${list.length === 0 ? "none (or the oldest entry)" : html`<ul class="changes">${list.map((c) => html`<li>${c}</li>`)}</ul>`}</dd>`;
}

/** An entry's page: everything a reader needs to check it, and the same data for the page script. */
export function entryPage(ctx: SiteContext, e: SiteEntry): string {
  const h = e.history;
  const proof = e.entry.verification.inclusionProof;
  const statementText = e.statement === undefined ? undefined : new TextDecoder().decode(e.statement);
  const data: EntryVerifyData = {
    statement: e.statement === undefined ? null : Buffer.from(e.statement).toString("base64"),
    signature: e.signature,
    entryId: h.entryId,
    entry: e.entry,
    componentKeyPem: e.componentKeyPem,
    logKeyPem: ctx.logKeyPem,
  };
  const { verification: _verification, ...entryFields } = e.entry;
  return page({
    title: `${e.component} log entry ${h.logIndex}`,
    root: "../",
    builtAt: ctx.builtAt,
    scripts: ["entry.js"],
    main: html`<h1>${e.component}: log entry ${h.logIndex}</h1>
<div id="browser-status" class="status none" role="status" aria-live="polite">
<p id="browser-status-text"><strong>Not verified in this browser.</strong> Nothing on this page has been checked here: what it shows is what the site builder wrote. With scripts on, this page re-verifies the signature, the inclusion proof and the checkpoint in your browser and says so.</p>
</div>
<ul id="browser-checks" class="checks" aria-label="Checks run in your browser"></ul>
<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
<dl>
<dt>Component</dt><dd><a href="../${componentDir(e.component)}index.html">${e.component}</a></dd>
<dt>Release</dt><dd>${releaseText(h)}</dd>
<dt>Subject</dt><dd>${h.subject ? html`<code>${h.subject.name}</code> ${Object.entries(h.subject.digest).map(([a, d]) => html`<br>${a}: <code class="hex">${d}</code>`)}` : "unknown"}</dd>
<dt>Issued on</dt><dd>${h.issuedOn ?? "unknown"}</dd>
<dt>Valid</dt><dd>${h.validity ? `${h.validity.notBefore} to ${h.validity.notAfter}` : "unknown"}</dd>
<dt>Logged (integrated time)</dt><dd>${timeText(e.entry.integratedTime)}</dd>
<dt>Entry id</dt><dd><code class="hex">${h.entryId}</code></dd>
<dt>Signing key id</dt><dd><code class="hex">${h.keyId}</code></dd>
<dt>At build</dt><dd${flagged(h) ? html` class="flagged"` : ""}>${flagged(h) ? html`<strong>Flagged:</strong> ` : ""}${statusText(h, ctx)}</dd>
${changes(e)}
</dl>
</section>
${buildChecks(e)}
${launchDigests(e)}
<section aria-labelledby="statement-heading">
<h2 id="statement-heading">Statement</h2>
<p>SHA-256 as the log entry names it: <code class="hex">${h.statementSha256 || "none"}</code></p>
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
<pre>${ctx.logKeyPem}</pre>
</section>
${jsonScript(VERIFY_DATA_ID, data)}`,
  });
}
