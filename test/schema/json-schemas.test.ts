import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { renderJsonSchemas } from "../../src/schema/json-schema.js";
import { ROOT } from "../helpers/fixtures.js";

describe("schemas/", () => {
  const generated = renderJsonSchemas();
  it("holds exactly the JSON Schemas generated from src/schema (run 'npm run schemas' when this fails)", () => {
    const committed = readdirSync(join(ROOT, "schemas")).filter((f) => f.endsWith(".json")).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) expect(readFileSync(join(ROOT, "schemas", name), "utf8"), name).toBe(text);
  });
});

describe("version", () => {
  it("src/version.ts matches package.json", async () => {
    const { VERSION } = await import("../../src/version.js");
    expect(VERSION).toBe((JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version);
  });
});
