import { html } from "../html.js";
import { page } from "../layout.js";
import type { SiteModel } from "../model.js";
import { componentDir } from "../paths.js";
import { flagged, releaseText, timeText } from "./entry-text.js";

/** index.html: every component, its latest release, and how many entries match no reference-values document. */
export function overviewPage(model: SiteModel): string {
  const rows = model.components.map((c) => {
    const latest = c.entries[0];
    const count = c.entries.filter(flagged).length;
    return html`<tr${count > 0 ? html` class="flagged"` : ""}>
<th scope="row"><a href="${componentDir(c.name)}index.html">${c.name}</a></th>
<td>${c.entries.length}</td>
<td>${latest ? releaseText(latest) : "none"}</td>
<td>${latest ? timeText(latest.integratedTime) : "never"}</td>
<td>${model.referenceValuesChecked ? (count > 0 ? html`<strong>${count} flagged</strong>` : "none") : "not checked"}</td>
</tr>`;
  });
  const cp = model.log.checkpoint;
  return page({
    title: "Components",
    root: "",
    builtAt: model.builtAt,
    current: "components",
    main: html`<h1>Components</h1>
<p>Every endorsement logged under a component key of the key registry, from <code>${model.log.source}</code>.</p>
<table>
<caption>Components and their logged endorsements</caption>
<thead><tr><th scope="col">Component</th><th scope="col">Entries</th><th scope="col">Latest release</th><th scope="col">Latest logged</th><th scope="col">Matching no reference values</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<section aria-labelledby="log-heading">
<h2 id="log-heading">The log</h2>
<dl>
<dt>Source</dt><dd><code>${model.log.source}</code></dd>
<dt>Tree size at build</dt><dd>${cp.size}</dd>
<dt>Root hash</dt><dd><code class="hex">${cp.rootHash}</code></dd>
</dl>
<h3>Signed checkpoint</h3>
<pre>${cp.note}</pre>
</section>`,
  });
}
