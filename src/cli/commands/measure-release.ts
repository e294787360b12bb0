import { dirname, resolve } from "node:path";
import { parseDocument } from "../../schema/parse.js";
import { ReferenceValues } from "../../schema/reference-values.js";
import { ReleaseManifest } from "../../schema/release-manifest.js";
import { measureRelease, type ReleaseFiles } from "../../measure/release.js";
import { ReftrailError, attributed } from "../../util/errors.js";
import { VERSION } from "../../version.js";
import { OUTPUT_OPTIONS, helpText, parseOptions, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, InputError, UsageError } from "../errors.js";
import { digestInputFile } from "../file-digests.js";
import { readInputFile, readTextInput } from "../input.js";
import { emit, formatTable, json } from "../output.js";

const NAME = "measure release";
const OPTIONS = {
  manifest: { type: "string", value: "FILE", description: "release manifest (schemas/release-manifest.json) (required)" },
  ...OUTPUT_OPTIONS,
} as const satisfies OptionSpecs;

const MAX_MANIFEST_BYTES = 16 << 20;
const MAX_PARSED_FILE_BYTES = 1 << 30;

/** Files named in a manifest resolve against the manifest's directory; errors carry the path as written. */
function manifestFiles(base: string): ReleaseFiles {
  // The component's field and path name the file; the error keeps only what went wrong.
  const rethrow = (err: unknown): never => {
    if (err instanceof InputError) throw new InputError(err.code, err.message);
    throw err;
  };
  return {
    read(path) {
      try {
        return readInputFile("path", resolve(base, path), MAX_PARSED_FILE_BYTES);
      } catch (err) {
        return rethrow(err);
      }
    },
    async digest(path, algorithms) {
      try {
        return await digestInputFile("path", resolve(base, path), algorithms);
      } catch (err) {
        return rethrow(err);
      }
    },
  };
}

async function run(argv: readonly string[]): Promise<number> {
  const { options: o, positionals } = parseOptions(NAME, argv, OPTIONS);
  if (o.help) {
    process.stdout.write(helpText(`reftrail ${NAME} --manifest FILE [--out reference-values/VERSION.json] [--json]`,
      "Computes the reference values of every component of a release manifest: one reference-values document per release.", OPTIONS));
    return ExitCode.OK;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}' (see 'reftrail ${NAME} --help')`);
  if (o.manifest === undefined) throw new UsageError("the following argument is required: --manifest");
  const text = readTextInput("--manifest", o.manifest, MAX_MANIFEST_BYTES);
  const manifest = parseDocument(ReleaseManifest, text, o.manifest);
  let values: ReferenceValues;
  try {
    values = await measureRelease(manifest, manifestFiles(dirname(resolve(o.manifest))), `reftrail ${VERSION}`);
  } catch (err) {
    if (err instanceof ReftrailError && err.subject?.startsWith("components[")) err.subject = `${o.manifest}: ${err.subject}`;
    throw err;
  }
  // Our own output must meet its schema before anything is written: fail closed on a bug.
  const document = json(attributed("reference values", () => parseDocument(ReferenceValues, JSON.stringify(values), "reference values")));
  if (o.out !== undefined) emit(document, o.out);
  if (o.json) process.stdout.write(document);
  else if (o.out !== undefined) process.stdout.write(summary(values, o.out));
  else process.stdout.write(document);
  return ExitCode.OK;
}

function summary(values: ReferenceValues, out: string): string {
  const rows = values.components.map((c) => {
    const digest = c.subject.digest.sha256 ?? Object.values(c.subject.digest)[0] ?? "";
    const extra =
      c.kind === "firmware"
        ? `${c.launchDigests.reduce((n, l) => n + ("digests" in l ? Object.keys(l.digests).length : 1), 0)} launch digests`
        : c.kind === "kernel"
          ? `image ${c.kernel.kernelImage.sha256?.slice(0, 16)}…, setup ${c.kernel.setupData.sha256?.slice(0, 16)}…`
          : "";
    return [c.name, c.kind, c.version, `sha256:${digest}`, extra];
  });
  return `${values.release.name} ${values.release.version}: reference values written to ${out}\n` + formatTable(["component", "kind", "version", "subject", "values"], rows);
}

export const command: Command = { run };
