import { html, type Html } from "./html.js";

export interface PageFrame {
  readonly title: string;
  /** Relative path from the page to the site root ("" or "../" repeated): the site works under any base path. */
  readonly root: string;
  readonly builtAt: string;
  /** Which top navigation link is the current page. */
  readonly current?: "components" | "search";
  readonly main: Html;
  /** Module scripts under assets/ (the page reads fully without them). */
  readonly scripts?: readonly string[];
}

/**
 * Every page's frame: a skip link, banner, navigation, one main landmark and a footer that says what
 * a static page is (values as the builder wrote them; only an entry page's script verifies).
 */
export function page(f: PageFrame): string {
  const nav = (key: "components" | "search", href: string, label: string) =>
    html`<li><a href="${f.root}${href}"${f.current === key ? html` aria-current="page"` : ""}>${label}</a></li>`;
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${f.title} · reftrail audit</title>
<link rel="stylesheet" href="${f.root}assets/site.css">
${(f.scripts ?? []).map((s) => html`<script type="module" src="${f.root}assets/${s}"></script>\n`)}</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<p class="site-name"><a href="${f.root}index.html">reftrail audit</a></p>
<nav aria-label="Site">
<ul>${nav("components", "index.html", "Components")}${nav("search", "search.html", "Measurement search")}</ul>
</nav>
</header>
<main id="main" tabindex="-1">
${f.main}
</main>
<footer>
<p>Built by <code>reftrail audit build-site</code> at <time datetime="${f.builtAt}">${f.builtAt}</time>. These pages are static: what they show is what the site builder read from the log. Only an entry page's script verifies anything in your browser, and it says so when it has.</p>
</footer>
</body>
</html>`.text}\n`;
}
