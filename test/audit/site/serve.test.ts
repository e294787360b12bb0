import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listenSite, siteFile } from "../../../src/audit/site/serve.js";

const root = mkdtempSync(join(tmpdir(), "reftrail-serve-"));
const site = join(root, "site");
mkdirSync(join(site, "components", "ovmf"), { recursive: true });
writeFileSync(join(site, "index.html"), "<p>home</p>");
writeFileSync(join(site, "components", "ovmf", "index.html"), "<p>ovmf</p>");
writeFileSync(join(root, "secret.txt"), "outside the site");
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("siteFile", () => {
  it("maps paths and folders to files inside the site", () => {
    expect(siteFile(site, "/")).toBe(join(site, "index.html"));
    expect(siteFile(site, "/components/ovmf/")).toBe(join(site, "components", "ovmf", "index.html"));
    expect(siteFile(site, "/components/ovmf/index.html?x=1")).toBe(join(site, "components", "ovmf", "index.html"));
    expect(siteFile(site, "/missing.html")).toBeUndefined();
  });

  it("never answers with a file outside the site", () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/components/..%2f..%2fsecret.txt", "/%00", "/%E0%A4%A"]) expect(siteFile(site, path)).toBeUndefined();
  });
});

describe("listenSite", () => {
  it("serves pages with their types, 404 elsewhere, and only GET/HEAD", async () => {
    const { url, server } = await listenSite(site, "127.0.0.1", 0);
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const home = await fetch(url);
      expect(home.status).toBe(200);
      expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await home.text()).toBe("<p>home</p>");
      expect((await fetch(`${url}..%2fsecret.txt`)).status).toBe(404);
      expect((await fetch(url, { method: "POST" })).status).toBe(405);
    } finally {
      server.close();
    }
  });
});
