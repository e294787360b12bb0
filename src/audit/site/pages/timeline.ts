import { html, type Html } from "../html.js";
import { page } from "../layout.js";
import type { SiteComponent, SiteContext } from "../model.js";
import { TIMELINE_PAGE_SIZE, entryFile, timelineFile } from "../paths.js";
import { short, timeText } from "./entry-text.js";

function pagination(current: number, pages: number, where: string): Html {
  const link = (n: number, label: string, rel?: string) =>
    n === current || n < 1 || n > pages ? html`<li><span aria-disabled="true">${label}</span></li>` : html`<li><a href="${timelineFile(n)}"${rel ? html` rel="${rel}"` : ""}>${label}</a></li>`;
  return html`<nav class="pagination" aria-label="Timeline pages (${where})">
<p>Page ${current} of ${pages}</p>
<ul>${link(1, "First page")}${link(current - 1, "Previous page", "prev")}${link(current + 1, "Next page", "next")}${link(pages, "Last page")}</ul>
</nav>`;
}

/** The history's whole checks, as `reftrail audit history` ends with them. */
export function historyChecks(component: SiteComponent): Html {
  return html`<section aria-labelledby="history-checks-heading" class="${component.verified ? "" : "flagged"}">
<h2 id="history-checks-heading">The auditor's checks of this history at build: ${component.verified ? "all passed" : "FAILED"}</h2>
<ul class="checks">${component.checks.map((c) => html`<li class="${c.status}"><strong>${c.check}</strong>: ${c.status}${c.actual || c.detail ? ` (${[c.actual, c.detail].filter(Boolean).join("; ")})` : ""}</li>`)}</ul>
</section>`;
}

/** One page of a component's timeline, newest first. */
function timelinePage(ctx: SiteContext, component: SiteComponent, n: number, pages: number): string {
  const entries = component.rows.slice((n - 1) * TIMELINE_PAGE_SIZE, n * TIMELINE_PAGE_SIZE);
  const rows = entries.map(
    (e) => html`<tr${e.flagged ? html` class="flagged"` : ""}>
<th scope="row"><a href="../../${entryFile(e.logIndex)}">${e.logIndex}</a></th>
<td>${timeText(e.integratedTime)}</td>
<td>${e.release}</td>
<td><code class="hex">${e.subjectSha256 ? short(e.subjectSha256, 16) : "—"}</code></td>
<td><code class="hex">${short(e.keyId, 16)}</code></td>
<td>${e.flagged ? html`<strong>Flagged:</strong> ` : ""}${e.status}</td>
<td>${e.changes.length ? e.changes.join("; ") : "—"}</td>
</tr>`,
  );
  const first = (n - 1) * TIMELINE_PAGE_SIZE + 1;
  return page({
    title: `${component.name} timeline, page ${n}`,
    root: "../../",
    builtAt: ctx.builtAt,
    main: html`<h1>${component.name}: timeline</h1>
<p>${component.rows.length} logged endorsement${component.rows.length === 1 ? "" : "s"}, newest first; this page shows ${entries.length ? `${first}–${first + entries.length - 1}` : "none"}. Signed by ${component.keys.map((k, i) => html`${i ? ", " : ""}<code class="hex">${short(k.keyId, 16)}</code> (from ${k.validFrom}${k.validUntil ? ` until ${k.validUntil}` : ""})`)}.</p>
${historyChecks(component)}
${pagination(n, pages, "top")}
<table>
<caption>${component.name} endorsements, page ${n} of ${pages}</caption>
<thead><tr><th scope="col">Log index</th><th scope="col">Logged</th><th scope="col">Release</th><th scope="col">Subject SHA-256</th><th scope="col">Key</th><th scope="col">At build</th><th scope="col">Changed since the entry before</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${pagination(n, pages, "bottom")}`,
  });
}

/** Every page of a component's timeline, by file name. */
export function timelinePages(ctx: SiteContext, component: SiteComponent): Map<string, string> {
  const pages = Math.max(1, Math.ceil(component.rows.length / TIMELINE_PAGE_SIZE));
  const out = new Map<string, string>();
  for (let n = 1; n <= pages; n++) out.set(timelineFile(n), timelinePage(ctx, component, n, pages));
  return out;
}
