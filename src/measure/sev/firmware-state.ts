import { _SHA256 } from "@noble/hashes/sha2.js";
import { MeasureError } from "../errors.js";

/** The part of a hash an SEV or SEV-ES digest needs: fed pages in order, copied at each vCPU count, finished. */
export interface ChainHash {
  update(data: Uint8Array): ChainHash;
  copy(): ChainHash;
  digest(): Uint8Array;
}

const BLOCK = 64;

/**
 * SHA-256 that can stop after whole blocks and resume from there. An SEV or SEV-ES digest starts
 * with the SHA-256 of the firmware file, which is a whole number of 4 KiB pages: its chaining
 * value after the file (32 bytes) stands for the file, so a reference-values document can carry it
 * and a verifier recompute SEV and SEV-ES digests for any kernel and vCPU count without the file.
 * @noble/hashes because node:crypto neither exposes nor accepts a chaining value.
 */
class ResumableSha256 extends _SHA256 implements ChainHash {
  static after(state: Uint8Array, length: number): ResumableSha256 {
    if (state.length !== 32) throw new MeasureError("SEV_FIRMWARE_STATE", `a SHA-256 chaining value is 32 bytes, not ${state.length}`);
    if (!Number.isSafeInteger(length) || length <= 0 || length % BLOCK !== 0) throw new MeasureError("SEV_FIRMWARE_STATE", `a SHA-256 chaining value stands for whole 64-byte blocks, not ${length} bytes`);
    const h = new ResumableSha256();
    const view = new DataView(state.buffer, state.byteOffset, 32);
    const [a, b, c, d, e, f, g, k] = Array.from({ length: 8 }, (_, i) => view.getUint32(4 * i));
    h.set(a!, b!, c!, d!, e!, f!, g!, k!);
    h.length = length;
    return h;
  }

  /** The chaining value: only meaningful at a block boundary, which `sevFirmwareState` checks. */
  chainingValue(): Uint8Array {
    const out = new Uint8Array(32);
    const view = new DataView(out.buffer);
    this.get().forEach((word, i) => view.setUint32(4 * i, word));
    return out;
  }

  copy(): ResumableSha256 {
    // Cloned into an instance of this class, not noble's constructor's (which this.constructor would also be).
    const to = new ResumableSha256();
    this._cloneInto(to);
    return to;
  }
}

/** The SHA-256 chaining value after the firmware file: what SEV and SEV-ES digests continue from. */
export function sevFirmwareState(firmware: Uint8Array): Uint8Array {
  if (firmware.byteLength === 0 || firmware.byteLength % BLOCK !== 0) throw new MeasureError("SEV_FIRMWARE_STATE", `a firmware of ${firmware.byteLength} bytes is not a whole number of 64-byte SHA-256 blocks`);
  return (new ResumableSha256().update(firmware) as ResumableSha256).chainingValue();
}

/** SHA-256 resumed after `length` bytes whose chaining value is `state`. */
export function resumedSha256(state: Uint8Array, length: number): ChainHash {
  return ResumableSha256.after(state, length);
}
