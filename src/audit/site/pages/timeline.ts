import { html, type Html } from "../html.js";
import { page } from "../layout.js";
import type { SiteComponent, SiteModel } from "../model.js";
import { TIMELINE_PAGE_SIZE, entryFile, timelineFile } from "../paths.js";
import { flagged, referenceValuesText, releaseText, short, timeText } from "./entry-text.js";

function pagination(current: number, pages: number, where: string): Html {
  const link = (n: number, label: string, rel?: string) =>
    n === current || n < 1 || n > pages ? html`<li><span aria-disabled="true">${label}</span></li>` : html`<li><a href="${timelineFile(n)}"${rel ? html` rel="${rel}"` : ""}>${label}</a></li>`;
  return html`<nav class="pagination" aria-label="Timeline pages (${where})">
<p>Page ${current} of ${pages}</p>
<ul>${link(1, "First page")}${link(current - 1, "Previous page", "prev")}${link(current + 1, "Next page", "next")}${link(pages, "Last page")}</ul>
</nav>`;
}

/** One page of a component's timeline, newest first. */
function timelinePage(model: SiteModel, component: SiteComponent, n: number, pages: number): string {
  const entries = component.entries.slice((n - 1) * TIMELINE_PAGE_SIZE, n * TIMELINE_PAGE_SIZE);
  const rows = entries.map(
    (e) => html`<tr${flagged(e) ? html` class="flagged"` : ""}>
<th scope="row"><a href="../../${entryFile(e.logIndex)}">${e.logIndex}</a></th>
<td>${timeText(e.integratedTime)}</td>
<td>${releaseText(e)}</td>
<td><code class="hex">${e.subject?.digests["sha256"] ? short(e.subject.digests["sha256"], 16) : "—"}</code></td>
<td><code class="hex">${short(e.keyId, 16)}</code></td>
<td>${flagged(e) ? html`<strong>Flagged:</strong> ` : ""}${referenceValuesText(e)}</td>
</tr>`,
  );
  const first = (n - 1) * TIMELINE_PAGE_SIZE + 1;
  return page({
    title: `${component.name} timeline, page ${n}`,
    root: "../../",
    builtAt: model.builtAt,
    main: html`<h1>${component.name}: timeline</h1>
<p>${component.entries.length} logged endorsement${component.entries.length === 1 ? "" : "s"}, newest first; this page shows ${entries.length ? `${first}–${first + entries.length - 1}` : "none"}. Signed by ${component.keys.map((k, i) => html`${i ? ", " : ""}<code class="hex">${short(k.keyId, 16)}</code> (from ${k.validFrom}${k.validUntil ? ` until ${k.validUntil}` : ""})`)}.</p>
${pagination(n, pages, "top")}
<table>
<caption>${component.name} endorsements, page ${n} of ${pages}</caption>
<thead><tr><th scope="col">Log index</th><th scope="col">Logged</th><th scope="col">Release</th><th scope="col">Subject SHA-256</th><th scope="col">Key</th><th scope="col">Reference values</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${pagination(n, pages, "bottom")}`,
  });
}

/** Every page of a component's timeline, by file name. */
export function timelinePages(model: SiteModel, component: SiteComponent): Map<string, string> {
  const pages = Math.max(1, Math.ceil(component.entries.length / TIMELINE_PAGE_SIZE));
  const out = new Map<string, string>();
  for (let n = 1; n <= pages; n++) out.set(timelineFile(n), timelinePage(model, component, n, pages));
  return out;
}
