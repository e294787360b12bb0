import { fromHex } from "../util/bytes.js";
import type { FirmwareValues } from "../schema/reference-values.js";
import type { FirmwareLayout } from "./firmware/ovmf.js";
import { MeasureError } from "./errors.js";

/**
 * The firmware of a reference-values document as the SNP launch-digest engine sees it: its layout
 * and precomputed page digest. With these, `snpLaunchDigests` measures a direct boot of any kernel,
 * initrd and command line, for any vCPU count and configuration, without the firmware bytes.
 */
export function firmwareFromValues(values: FirmwareValues): { layout: FirmwareLayout; firmwareDigest: Uint8Array } {
  const { layout } = values;
  const int = (hex: string) => {
    const n = Number(BigInt(hex));
    if (!Number.isSafeInteger(n)) throw new MeasureError("REFERENCE_LAYOUT", `firmware layout value ${hex} is out of range`);
    return n;
  };
  const firmwareDigest = fromHex(layout.snpFirmwareDigest)!;
  return {
    firmwareDigest,
    layout: {
      gpa: int(layout.gpa),
      size: layout.size,
      sevEsResetEip: layout.sevEsResetEip === null ? undefined : int(layout.sevEsResetEip),
      sevHashTable: layout.sevHashTable === null ? undefined : { gpa: int(layout.sevHashTable.gpa), size: int(layout.sevHashTable.size) },
      sevMetadata: layout.sevMetadata === null ? undefined : layout.sevMetadata.map((s) => ({ gpa: int(s.gpa), size: int(s.size), type: int(s.type) })),
      svsmInfoOffset: undefined,
    },
  };
}
