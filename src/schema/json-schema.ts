import { z } from "zod";
import { SCHEMAS } from "./index.js";

/** The JSON Schema documents generated from the zod schemas, by file name under `schemas/`. */
export function renderJsonSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [name, { schema, io }] of Object.entries(SCHEMAS)) {
    const document = {
      $id: `urn:reftrail:schema:${name}`,
      ...z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }),
    };
    files.set(`${name}.json`, JSON.stringify(document, null, 2) + "\n");
  }
  return files;
}
