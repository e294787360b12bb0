import { verifyPrehashedBatch, type PrehashedResult, type VerificationKey } from "./prehashed.js";

/** The most requests sent in one batch. */
const MOST = 256;

/**
 * Gathers the digest verifications asked for close together into batches for verifyPrehashedBatch
 * (off the calling thread where the native module is built): each caller awaits its own result.
 * One batch at a time: on a machine of two cores the calling thread, which has the rest of the
 * work, keeps one; a second batch beside the first would take it from it. What is asked meanwhile
 * waits and goes as the next batch, at once; a lone request goes at the next turn of the event loop.
 */
export class PrehashedBatcher {
  private queue: { key: VerificationKey; digest: Uint8Array; signature: Uint8Array; resolve: (r: PrehashedResult) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;
  private running = false;

  constructor(private readonly size = 32) {}

  verify(key: VerificationKey, digest: Uint8Array, signature: Uint8Array): Promise<PrehashedResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ key, digest, signature, resolve, reject });
      if (this.queue.length >= this.size) this.send();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });
  }

  private send(): void {
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, MOST);
    this.running = true;
    const done = () => {
      this.running = false;
      this.send();
    };
    verifyPrehashedBatch(batch).then(
      (results) => {
        batch.forEach((item, i) => item.resolve(results[i]!));
        done();
      },
      (err: unknown) => {
        batch.forEach((item) => item.reject(err));
        done();
      },
    );
  }
}
