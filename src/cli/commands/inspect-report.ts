import { describeReport, ownProduct, reportText } from "../../verify/snp/describe.js";
import { COMMON_OPTIONS, commandOptionsWithFile, type OptionSpecs } from "../args.js";
import type { Command } from "../command.js";
import { ExitCode, UsageError } from "../errors.js";
import { json } from "../output.js";
import { loadReport } from "../../verify/load/snp.js";
import { productOption } from "../product-option.js";

const NAME = "inspect report";
const OPTIONS = {
  product: { type: "string", value: "NAME", description: "Milan, Genoa or Turin, for a version 2 report (it carries no CPUID; decides the TCB layout)" },
  ...COMMON_OPTIONS,
} as const satisfies OptionSpecs;

export const command: Command = {
  async run(argv) {
    const parsed = commandOptionsWithFile(NAME, argv, OPTIONS, {
      usage: "FILE [--product NAME] [--json]",
      summary: "Prints every field of an SEV-SNP attestation report (raw 1184 bytes, hex, or inside an Azure HCL report), decoded: TCB versions per product, guest policy, platform info and signer bits.",
    });
    if (parsed === undefined) return ExitCode.OK;
    const { options: o, file } = parsed;
    const { report, hcl } = loadReport(file);
    const hint = productOption(o.product);
    const own = ownProduct(report);
    if (hint !== undefined && own !== undefined && hint !== own) throw new UsageError(`the report's CPUID says ${own}; --product ${hint} contradicts it`, "--product");
    const data = describeReport(report, hint, hcl);
    process.stdout.write(o.json ? json(data) : reportText(data));
    return ExitCode.OK;
  },
};
