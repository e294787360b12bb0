/**
 * The site's one stylesheet. Every text colour is at least 4.5:1 on its background (WCAG AA);
 * the browser test measures the rendered colours. Status is never shown by colour alone: each state
 * has its own words.
 */
export const SITE_CSS = `:root { color-scheme: light; --text: #1b1b1b; --muted: #4a4a4a; --bg: #ffffff; --link: #0b4fa8; --line: #8a8a8a; --flag-bg: #fff1c2; --ok-bg: #e3f4e8; --ok: #0b5b26; --fail-bg: #fde7e7; --fail: #9b1010; --none-bg: #eef0f3; --focus: #0b4fa8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--text); background: var(--bg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, [tabindex]:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -9999px; top: 0; background: var(--bg); padding: .5rem; }
.skip:focus { left: .5rem; }
header { border-bottom: 1px solid var(--line); padding: .5rem 1rem; display: flex; gap: 2rem; align-items: center; flex-wrap: wrap; }
header ul, .pagination ul { list-style: none; display: flex; gap: 1rem; margin: 0; padding: 0; flex-wrap: wrap; }
.site-name { font-weight: bold; margin: 0; }
[aria-current="page"] { font-weight: bold; }
main { padding: 1rem; max-width: 80rem; }
footer { border-top: 1px solid var(--line); padding: .5rem 1rem; color: var(--muted); font-size: .9rem; }
table { border-collapse: collapse; margin: 1rem 0; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
tr.flagged, dd.flagged { background: var(--flag-bg); }
.hex { word-break: break-all; font-family: ui-monospace, monospace; }
pre { background: var(--none-bg); padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; max-height: 30rem; }
.scroll { overflow-x: auto; }
.status { padding: .5rem 1rem; border: 2px solid var(--line); }
.status.none { background: var(--none-bg); color: var(--text); }
.status.pending { background: var(--none-bg); color: var(--text); }
.status.verified, .status.passed { background: var(--ok-bg); color: var(--ok); border-color: var(--ok); }
.status.failed { background: var(--fail-bg); color: var(--fail); border-color: var(--fail); }
.checks li.failed { color: var(--fail); }
.checks li.passed { color: var(--ok); }
label { display: block; font-weight: bold; }
input, button { font: inherit; padding: .25rem .5rem; }
button { background: var(--link); color: #ffffff; border: 0; }
`;
