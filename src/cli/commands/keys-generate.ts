import { generateKeyFiles } from "../../keys/key-store.js";
import { registerKey } from "../../keys/registry.js";
import { updateRegistryFile } from "../../keys/registry-file.js";
import { ComponentName } from "../../schema/release-manifest.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import { parseDocument } from "../../schema/parse.js";
import type { KeyRegistry } from "../../schema/key-registry.js";
import { nowWholeSeconds } from "../../util/rfc3339.js";
import { COMMON_OPTIONS, commandOptions, splitList, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { readTextInput } from "../input.js";
import { formatTable, json, outputFolder } from "../output.js";
import { registryError } from "../key-registry.js";

const NAME = "keys generate";
const OPTIONS = {
  component: { type: "string", multiple: true, value: "NAME[,NAME…]", description: "component(s) to generate a key for (repeatable)" },
  "reference-values": { type: "string", value: "FILE", description: "generate a key for every component of this reference-values document" },
  out: { type: "string", value: "DIR", description: "directory for the keys: NAME.private.pem (mode 0600), NAME.public.pem (required)" },
  registry: { type: "string", value: "FILE", description: "also add each public key to this key registry (created if missing)" },
  "keep-existing": { type: "boolean", description: "keep a component's existing key instead of failing" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `(--component NAME[,NAME…] | --reference-values FILE) --out DIR [--registry FILE] [--keep-existing] [--json]`,
    summary: "Generates one ECDSA P-256 endorsement key per component. The private key never leaves DIR; the key id is the SHA-256 of the public key's SPKI DER.",
  });
  if (o === undefined) return ExitCode.OK;
  if (o.out === undefined) throw new UsageError("the following argument is required: --out");
  const components: string[] = [];
  if (o.component !== undefined) {
    for (const name of o.component.flatMap(splitList)) {
      if (!ComponentName.safeParse(name).success) throw new UsageError(`'${name}' is not a component name (letters, digits and . _ + - only)`, "--component");
      components.push(name);
    }
  }
  if (o["reference-values"] !== undefined) {
    const values = parseDocument(ReferenceValues, readTextInput("--reference-values", o["reference-values"], 64 << 20), o["reference-values"]);
    components.push(...values.components.map((c) => c.name));
  }
  if (components.length === 0) throw new UsageError("name the components: --component NAME or --reference-values FILE");
  const unique = [...new Set(components)];
  outputFolder("--out", o.out, 0o700);
  const start = nowWholeSeconds();
  const generate = (registry: KeyRegistry | undefined) => {
    let changed = false;
    const rows = unique.map((component) => {
      const stored = generateKeyFiles(o.out!, component, o["keep-existing"] ?? false);
      let registered: "added" | "listed" | undefined;
      if (o.registry !== undefined) {
        const result = registerKey(registry, component, stored.pair.publicKey, start);
        registry = result.registry;
        changed ||= result.added;
        registered = result.added ? "added" : "listed";
      }
      return { component, keyId: stored.keyId, status: stored.created ? "created" : "kept", privateKey: stored.privateKeyPath, publicKey: stored.publicKeyPath, ...(registered ? { registry: registered } : {}) };
    });
    return { registry, changed, result: rows };
  };
  // With a registry, everything happens under its lock: the registry is read (and refused if bad)
  // before any key is made, and no concurrent update of it is lost.
  const rows = o.registry === undefined ? generate(undefined).result : await registryError("--registry", o.registry, () => updateRegistryFile(o.registry!, generate));
  if (o.json) process.stdout.write(json({ keys: rows, ...(o.registry !== undefined ? { registry: o.registry } : {}) }));
  else {
    process.stdout.write(formatTable(["component", "status", "key id", "public key", ...(o.registry !== undefined ? ["registry"] : [])], rows.map((r) => [r.component, r.status, r.keyId, r.publicKey, ...(r.registry ? [r.registry] : [])])));
  }
  return ExitCode.OK;
}

export const command: Command = { run };
