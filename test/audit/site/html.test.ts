import { describe, expect, it } from "vitest";
import { escapeHtml, html, jsonScript } from "../../../src/audit/site/html.js";

describe("html", () => {
  it("escapes every interpolated string, keeps Html as it is", () => {
    const name = `<script>alert("x")</script>&'`;
    expect(html`<p>${name}</p>`.text).toBe("<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</p>");
    expect(html`<div>${html`<b>${name}</b>`}</div>`.text).toBe(`<div><b>${escapeHtml(name)}</b></div>`);
    expect(html`${[1, "<", undefined, false, null]}`.text).toBe("1&lt;");
  });

  it("a JSON script element cannot be closed by the data it carries, and parses back to it", () => {
    const value = { statement: "</script><script>alert(1)</script>", line: "\u2028" };
    const text = jsonScript("d", value).text;
    expect(text.match(/<\/script>/g)).toHaveLength(1);
    const body = /^<script type="application\/json" id="d">(.*)<\/script>$/s.exec(text)![1]!;
    expect(JSON.parse(body)).toEqual(value);
  });
});
