import { parsePublicKey } from "../../keys/component-keys.js";
import { setKeyWindow, type KeyWindowChange } from "../../keys/registry.js";
import { updateRegistryFile } from "../../keys/registry-file.js";
import { ComponentName } from "../../schema/release-manifest.js";
import { nowWholeSeconds } from "../../util/rfc3339.js";
import { ReftrailError } from "../../util/errors.js";
import { COMMON_OPTIONS, commandOptions, requireOptions, timeOption, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, InputError, UsageError } from "../errors.js";
import { fileSubject, readTextInput } from "../input.js";
import { json } from "../output.js";
import { registryError } from "../key-registry.js";

const NAME = "keys register";
const OPTIONS = {
  registry: { type: "string", value: "FILE", description: "the key registry to update (created if missing) (required)" },
  component: { type: "string", value: "NAME", description: "the component the key may endorse (required)" },
  key: { type: "string", value: "FILE", description: "the public key, PEM (required)" },
  start: { type: "string", value: "TIME", description: "first moment the key may have signed, RFC 3339 (default: now for a new key; an existing key keeps its start)" },
  end: { type: "string", value: "TIME", description: "last moment the key may have signed (rotation, or revocation with a past time); `open` removes an end; an existing key keeps its end unless given" },
  comment: { type: "string", value: "TEXT", description: "a note kept with the key (where it came from, why it ended)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

async function run(argv: readonly string[]): Promise<number> {
  const o = commandOptions(NAME, argv, OPTIONS, {
    usage: `--registry FILE --component NAME --key FILE [--start TIME] [--end TIME|open] [--comment TEXT] [--json]`,
    summary:
      "Adds a public key to a key registry for a component, or changes its validity window: only the bounds given change. To rotate, register the new key and give the old one an --end; to revoke, give it an --end in the past.",
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
  const change: KeyWindowChange = {
    ...(o.start !== undefined ? { start: timeOption("--start", o.start) } : {}),
    ...(o.end !== undefined ? { end: o.end === "open" ? ("open" as const) : timeOption("--end", o.end) } : {}),
    ...(o.comment !== undefined ? { comment: o.comment } : {}),
  };
  const now = nowWholeSeconds();
  const result = await registryError("--registry", o.registry!, () =>
    updateRegistryFile(o.registry!, (current) => {
      try {
        const r = setKeyWindow(current, o.component!, key, change, now);
        return { registry: r.registry, changed: r.change !== "unchanged", result: r };
      } catch (err) {
        // The window the options ask for is inconsistent (an end before the start): a usage error.
        if (err instanceof ReftrailError && err.code === "REGISTRY") throw new UsageError(err.message, o.end !== undefined ? "--end" : "--start");
        throw err;
      }
    }),
  );
  const registered = result.key;
  const report = { registry: o.registry, component: o.component, change: result.change, key: registered };
  process.stdout.write(
    o.json ? json(report) : `${result.change} ${o.component} key ${registered.keyId} valid ${registered.validFor.start} .. ${registered.validFor.end ?? "open"} in ${o.registry}\n`,
  );
  return ExitCode.OK;
}

export const command: Command = { run };
