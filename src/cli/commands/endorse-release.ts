import { existsSync } from "node:fs";
import { join } from "node:path";
import { endorseComponent, type EndorsedComponent } from "../../endorse/endorse.js";
import { ENDORSEMENT_FILES } from "../../endorse/files.js";
import { componentKeyPaths, keyEnvName, readPrivateKeyEnv, readPrivateKeyFile } from "../../keys/key-store.js";
import type { ComponentKeyPair } from "../../keys/component-keys.js";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import { NS_PER_SECOND, formatRfc3339, nowWholeSeconds } from "../../util/rfc3339.js";
import { checkSigningKey } from "../../keys/registry.js";
import { COMMON_OPTIONS, commandOptions, parseSmallInteger, requireOptions, splitList, timeOption, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { readTextInput } from "../input.js";
import { registryOption } from "../key-registry.js";
import { formatTable, json, outputFolder, warn } from "../output.js";

const NAME = "endorse release";
const DEFAULT_VALID_DAYS = 365;
const OPTIONS = {
  "reference-values": { type: "string", value: "FILE", description: "reference values of the release (`reftrail measure release`) (required)" },
  out: { type: "string", value: "DIR", description: "where to write one folder per component (required)" },
  "key-dir": { type: "string", value: "DIR", description: "private keys as DIR/COMPONENT.private.pem (`reftrail keys generate`)" },
  "key-env-prefix": { type: "string", value: "PREFIX", description: "private keys (PEM) in environment variables PREFIX<COMPONENT>, e.g. REFTRAIL_KEY_OVMF_VARS" },
  component: { type: "string", multiple: true, value: "NAME[,NAME…]", description: "endorse only these components (default: all) (repeatable)" },
  "issued-on": { type: "string", value: "TIME", description: "issue time and start of validity, RFC 3339 (default: now, whole seconds)" },
  "valid-days": { type: "string", value: "N", description: `validity in days from the issue time (default ${DEFAULT_VALID_DAYS})` },
  "not-after": { type: "string", value: "TIME", description: "end of validity, RFC 3339 (instead of --valid-days)" },
  "key-registry": { type: "string", value: "FILE", description: "key registry: refuse a key that is not registered for its component now (as verify checks)" },
  "allow-inactive": { type: "boolean", description: "sign even if the validity does not include now (warns; publish refuses it until it does)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;


async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `--reference-values FILE --out DIR (--key-dir DIR | --key-env-prefix PREFIX) [--key-registry FILE] [--component NAME,…] [--issued-on TIME] [--valid-days N | --not-after TIME] [--allow-inactive] [--json]`,
    summary: "Signs one Oak-compatible in-toto endorsement per component, each with that component's own key: DIR/COMPONENT/{endorsement.json, endorsement.json.sig, public_key.pem}. An existing endorsement of the same values is kept, never re-signed.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["reference-values", "out"]);
  if ((o["key-dir"] === undefined) === (o["key-env-prefix"] === undefined)) throw new UsageError("give exactly one of --key-dir and --key-env-prefix");
  if (o["valid-days"] !== undefined && o["not-after"] !== undefined) throw new UsageError("give --valid-days or --not-after, not both");
  // Whole seconds: Rekor's integratedTime has whole seconds, and must not precede notBefore.
  const issuedOn = o["issued-on"] !== undefined ? timeOption("--issued-on", o["issued-on"]) : nowWholeSeconds();
  const notAfter =
    o["not-after"] !== undefined
      ? timeOption("--not-after", o["not-after"])
      : issuedOn + BigInt(o["valid-days"] !== undefined ? parseSmallInteger("--valid-days", o["valid-days"], 100 * 366) : DEFAULT_VALID_DAYS) * 86_400n * NS_PER_SECOND;
  if (notAfter < issuedOn) throw new UsageError("the validity would end before it begins", "--not-after");

  const valuesPath = o["reference-values"]!;
  const values = parseDocument(ReferenceValues, readTextInput("--reference-values", valuesPath, 64 << 20), valuesPath);
  const wanted = o.component === undefined ? undefined : new Set(o.component.flatMap(splitList));
  for (const name of wanted ?? []) {
    if (!values.components.some((c) => c.name === name)) throw new UsageError(`${valuesPath} has no component '${name}'`, "--component");
  }
  const components = values.components.filter((c) => wanted === undefined || wanted.has(c.name));
  // Every key is loaded and checked before anything is signed: a missing or wrong key leaves no partial release behind.
  const keys = new Map<string, ComponentKeyPair>(
    components.map((c) => [c.name, o["key-dir"] !== undefined ? readPrivateKeyFile(componentKeyPaths(o["key-dir"], c.name).privateKey) : readPrivateKeyEnv(keyEnvName(o["key-env-prefix"]!, c.name))]),
  );
  const now = BigInt(Date.now()) * 1_000_000n;
  const registry = registryOption("--key-registry", o["key-registry"]);
  if (registry !== undefined) for (const c of components) checkSigningKey(registry.loaded, registry.source, c.name, keys.get(c.name)!.publicKey, now);
  // An endorsement not valid now would be refused by publish (and by every verifier until it is).
  const toSign = components.filter((c) => !existsSync(join(o.out!, c.name, ENDORSEMENT_FILES.statement)));
  if (toSign.length > 0 && (now < issuedOn || now > notAfter)) {
    const why = `the validity ${formatRfc3339(issuedOn)} .. ${formatRfc3339(notAfter)} does not include now (${formatRfc3339(now)})`;
    if (!o["allow-inactive"]) throw new UsageError(`${why}: publish and verify would refuse the endorsements (pass --allow-inactive to sign them for later)`, now < issuedOn ? "--issued-on" : "--not-after");
    warn(`${why}: publish will refuse these endorsements until it does`);
  }
  outputFolder("--out", o.out!);
  const results: EndorsedComponent[] = components.map((c) => endorseComponent(o.out!, values.release, c, keys.get(c.name)!, { issuedOn, notBefore: issuedOn, notAfter }));
  if (o.json) process.stdout.write(json({ release: values.release, endorsements: results }));
  else {
    process.stdout.write(
      `${values.release.name} ${values.release.version}: ${results.filter((r) => r.status === "signed").length} signed, ${results.filter((r) => r.status === "unchanged").length} unchanged in ${o.out}\n` +
        formatTable(["component", "status", "key id", "valid until", "folder"], results.map((r) => [r.component, r.status, r.keyId.slice(0, 16) + "…", r.notAfter, r.dir])),
    );
  }
  return ExitCode.OK;
}

export const command: Command = { run };
