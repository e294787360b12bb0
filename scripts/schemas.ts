/** Regenerates schemas/*.json from the zod schemas in src/schema (`npm run schemas`). */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { renderJsonSchemas } from "../src/schema/json-schema.js";

const dir = resolve(dirname(fileURLToPath(import.meta.url)), "../schemas");
mkdirSync(dir, { recursive: true });
const files = renderJsonSchemas();
for (const old of readdirSync(dir)) if (old.endsWith(".json") && !files.has(old)) rmSync(join(dir, old));
for (const [name, text] of files) writeFileSync(join(dir, name), text);
process.stdout.write(`schemas: wrote ${files.size} file(s) to ${dir}\n`);
