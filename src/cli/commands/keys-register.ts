import { existsSync } from "node:fs";
import { keyIdOf, parsePublicKey } from "../../endorse/keys.js";
import { parseKeyRegistry, setKeyWindow } from "../../endorse/registry.js";
import { ComponentName } from "../../schema/release-manifest.js";
import type { KeyRegistry } from "../../schema/key-registry.js";
import { writeFileAtomic } from "../../util/atomic-write.js";
import { nowWholeSeconds } from "../../util/rfc3339.js";
import { ReftrailError } from "../../util/errors.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, timeOption, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, InputError, UsageError } from "../errors.js";
import { fileSubject, readTextInput } from "../input.js";
import { json } from "../output.js";

const NAME = "keys register";
const OPTIONS = {
  registry: { type: "string", value: "FILE", description: "the key registry to update (created if missing) (required)" },
  component: { type: "string", value: "NAME", description: "the component the key may endorse (required)" },
  key: { type: "string", value: "FILE", description: "the public key, PEM (required)" },
  start: { type: "string", value: "TIME", description: "first moment the key may have signed, RFC 3339 (default: now)" },
  end: { type: "string", value: "TIME", description: "last moment the key may have signed (rotation or revocation); omit while in use" },
  comment: { type: "string", value: "TEXT", description: "a note kept with the key (where it came from, why it ended)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;


async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `--registry FILE --component NAME --key FILE [--start TIME] [--end TIME] [--comment TEXT] [--json]`,
    summary: "Adds a public key to a key registry for a component, or changes its validity window: to rotate, register the new key and give the old one an --end.",
  });
  if (o === undefined) return ExitCode.OK;
  requireOptions(o, ["registry", "component", "key"]);
  if (!ComponentName.safeParse(o.component).success) throw new UsageError(`'${o.component}' is not a component name`, "--component");
  let key;
  try {
    key = parsePublicKey(readTextInput("--key", o.key!, 1 << 20), "the key");
  } catch (err) {
    if (err instanceof ReftrailError && !(err instanceof InputError)) throw new InputError(err.code, err.message, fileSubject("--key", o.key!));
    throw err;
  }
  const start = o.start !== undefined ? timeOption("--start", o.start) : nowWholeSeconds();
  const end = o.end !== undefined ? timeOption("--end", o.end) : undefined;
  if (end !== undefined && end < start) throw new UsageError("the window would end before it starts", "--end");
  let registry: KeyRegistry | undefined;
  if (existsSync(o.registry!)) {
    try {
      registry = parseKeyRegistry(readTextInput("--registry", o.registry!, 16 << 20), o.registry!).registry;
    } catch (err) {
      if (err instanceof ReftrailError && !(err instanceof InputError)) throw new InputError(err.code, err.message, fileSubject("--registry", o.registry!));
      throw err;
    }
  }
  const result = setKeyWindow(registry, o.component!, key, start, end, o.comment);
  if (result.change !== "unchanged") writeFileAtomic(o.registry!, json(result.registry));
  const keyId = keyIdOf(key);
  const registered = result.registry.components[o.component!]!.find((k) => k.keyId === keyId)!;
  const report = { registry: o.registry, component: o.component, change: result.change, key: registered };
  process.stdout.write(o.json ? json(report) : `${result.change} ${o.component} key ${registered.keyId} valid ${registered.validFor.start} .. ${registered.validFor.end ?? "open"} in ${o.registry}\n`);
  return ExitCode.OK;
}

export const command: Command = { run };
