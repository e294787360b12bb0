import { html, type Html } from "../html.js";
import { page } from "../layout.js";
import type { ComponentSummary, SiteContext, SiteLog } from "../model.js";
import { componentDir } from "../paths.js";
import { timeText } from "./entry-text.js";

/** The auditor's word on the log: its checkpoint against the one verified before this build. */
function logStatus(log: SiteLog): Html {
  const a = log.audit;
  if (a.problem !== undefined) return html`<p class="status failed"><strong>${a.problem.kind}:</strong> ${a.problem.title}. The auditor's stored checkpoint was kept.</p>`;
  if (a.checkpoint === undefined) return html`<p class="status failed"><strong>The log's checkpoint did not verify</strong> with its key when the site was built.</p>`;
  return html`<p class="status passed">${a.stored === undefined ? "The log's checkpoint verified; it is the first one this auditor stored." : `The log's checkpoint verified and is consistent with the one this auditor verified before (tree size ${a.stored.size}).`}</p>`;
}

/** index.html: every component, its latest release, how many entries fail or are flagged, and the log's standing. */
export function overviewPage(ctx: SiteContext, log: SiteLog, components: readonly ComponentSummary[]): string {
  const rows = components.map((c) => {
    const latest = c.latest;
    const count = c.flagged;
    return html`<tr${count > 0 || !c.verified ? html` class="flagged"` : ""}>
<th scope="row"><a href="${componentDir(c.name)}index.html">${c.name}</a></th>
<td>${c.entries}</td>
<td>${latest ? latest.release : "none"}</td>
<td>${latest ? timeText(latest.integratedTime) : "never"}</td>
<td>${count > 0 ? html`<strong>${count} flagged</strong>` : "none"}${ctx.referenceValuesChecked ? "" : " (reference values not compared)"}</td>
<td>${c.verified ? "passed" : html`<strong>failed: ${c.checks.filter((k) => k.status === "failed").map((k) => k.check).join(", ")}</strong>`}</td>
</tr>`;
  });
  const cp = log.audit.checkpoint;
  return page({
    title: "Components",
    root: "",
    builtAt: ctx.builtAt,
    current: "components",
    main: html`<h1>Components</h1>
<p>Every endorsement logged under a component key of the key registry, from <code>${log.source}</code>, as the auditor found it when the site was built.</p>
<table>
<caption>Components and their logged endorsements</caption>
<thead><tr><th scope="col">Component</th><th scope="col">Entries</th><th scope="col">Latest release</th><th scope="col">Latest logged</th><th scope="col">Failing or matching no reference values</th><th scope="col">History checks</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<section aria-labelledby="log-heading">
<h2 id="log-heading">The log</h2>
${logStatus(log)}
<dl>
<dt>Source</dt><dd><code>${log.source}</code></dd>
<dt>Tree size at build</dt><dd>${cp ? cp.size : "unknown"}</dd>
<dt>Root hash</dt><dd>${cp ? html`<code class="hex">${cp.rootHash}</code>` : "unknown"}</dd>
</dl>
${cp ? html`<h3>Signed checkpoint</h3>
<pre>${cp.note}</pre>` : ""}
</section>`,
  });
}
