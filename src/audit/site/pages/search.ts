import { html } from "../html.js";
import { page } from "../layout.js";
import type { SiteContext } from "../model.js";

/** search.html: which endorsed release and configuration produce a measurement (the index is per digest prefix). */
export function searchPage(ctx: SiteContext, digests: number): string {
  return page({
    title: "Measurement search",
    root: "",
    builtAt: ctx.builtAt,
    current: "search",
    scripts: ["search.js"],
    main: html`<h1>Measurement search</h1>
<p>Which endorsed firmware release and configuration (VMM, vCPU count and type, guest features, kernel) produce a launch measurement. The site builder indexed ${digests} launch digests of the logged firmware endorsements, recomputed from the endorsed values (SEV and SEV-ES ones from the firmware's recorded SHA-256 state; values made before reftrail recorded it list those as endorsed).</p>
<form id="measurement-form" role="search" action="search.html" method="get">
<label for="measurement">Measurement (hex, 96 digits for SNP, 64 for SEV)</label>
<input id="measurement" name="m" type="text" inputmode="latin" autocomplete="off" spellcheck="false" size="50" pattern="[0-9a-fA-F]{64}|[0-9a-fA-F]{96}" required aria-describedby="measurement-help">
<p id="measurement-help">Copy the MEASUREMENT field of the attestation report, e.g. from <code>reftrail inspect report</code>.</p>
<button type="submit">Search</button>
</form>
<noscript><p class="status none"><strong>The search runs in your browser and scripts are off.</strong> Each firmware entry page lists its launch digests without scripts.</p></noscript>
<div id="search-results" role="status" aria-live="polite"></div>`,
  });
}
