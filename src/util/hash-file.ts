import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { createHash } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { DigestAlgorithm } from "./digest.js";
import { assertUnchanged } from "./unchanged.js";

const CHUNK = 2 << 20;
const SLOTS = 4;
/** Below this size the work of starting threads outweighs hashing in parallel. */
const PARALLEL_THRESHOLD = 32 << 20;

export interface FileDigests<A extends DigestAlgorithm> {
  readonly digests: Record<A, Uint8Array>;
  readonly size: number;
}

/**
 * Digests of a file in a single read pass with memory bounded by a few chunk buffers, whatever the
 * file's size. The first algorithm hashes on this thread; each further one on a worker thread that
 * shares every chunk read, so three algorithms take about as long as the slowest one alone.
 * `file` is a path or an open descriptor (left open). `onProgress` receives the bytes read so far.
 */
export async function hashFile<A extends DigestAlgorithm>(
  file: string | number,
  algorithms: readonly A[],
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): Promise<FileDigests<A>> {
  const fd = typeof file === "number" ? file : openSync(file, "r");
  try {
    const before = fstatSync(fd);
    const result =
      algorithms.length > 1 && before.size >= PARALLEL_THRESHOLD
        ? await hashInParallel(fd, before.size, algorithms, onProgress)
        : hashSequentially(fd, before.size, algorithms, onProgress);
    assertUnchanged(before, fstatSync(fd), result.size);
    return result;
  } finally {
    if (typeof file !== "number") closeSync(fd);
  }
}

function hashSequentially<A extends DigestAlgorithm>(
  fd: number,
  size: number,
  algorithms: readonly A[],
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): FileDigests<A> {
  const hashes = algorithms.map((a) => createHash(a));
  const buffer = Buffer.allocUnsafe(CHUNK);
  let total = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, CHUNK, null);
    if (n === 0) break;
    const chunk = buffer.subarray(0, n);
    for (const h of hashes) h.update(chunk);
    total += n;
    onProgress?.(total, size);
  }
  return { digests: Object.fromEntries(algorithms.map((a, i) => [a, new Uint8Array(hashes[i]!.digest())])) as Record<A, Uint8Array>, size: total };
}

/**
 * Control words in shared memory: [0] chunks published, then per slot the byte count (-1 = end of
 * file) and how many workers have yet to hash it. The reader reuses a slot only once every worker
 * has hashed it, so each worker sees every chunk exactly once, in order.
 */
const PUBLISHED = 0;
const slotLength = (slot: number) => 1 + slot * 2;
const slotPending = (slot: number) => 2 + slot * 2;

/** Runs in each worker (serialised with toString, so it must not close over module scope). */
function hashWorker(): void {
  const { parentPort, workerData } = require("node:worker_threads") as typeof import("node:worker_threads");
  const { createHash: hash } = require("node:crypto") as typeof import("node:crypto");
  const { algorithm, data, control, chunk, slots } = workerData as {
    algorithm: string;
    data: SharedArrayBuffer;
    control: SharedArrayBuffer;
    chunk: number;
    slots: number;
  };
  const words = new Int32Array(control);
  const bytes = new Uint8Array(data);
  const h = hash(algorithm);
  for (let i = 0; ; i++) {
    while (Atomics.load(words, 0) <= i) Atomics.wait(words, 0, i);
    const slot = i % slots;
    const length = Atomics.load(words, 1 + slot * 2);
    if (length < 0) break;
    h.update(bytes.subarray(slot * chunk, slot * chunk + length));
    if (Atomics.sub(words, 2 + slot * 2, 1) === 1) Atomics.notify(words, 2 + slot * 2);
  }
  parentPort!.postMessage(h.digest());
}

const WORKER_SOURCE = `(${hashWorker.toString()})()`;

async function hashInParallel<A extends DigestAlgorithm>(
  fd: number,
  size: number,
  algorithms: readonly A[],
  onProgress?: (bytesRead: number, totalBytes: number) => void,
): Promise<FileDigests<A>> {
  const data = new SharedArrayBuffer(CHUNK * SLOTS);
  const control = new SharedArrayBuffer(4 * (1 + 2 * SLOTS));
  const words = new Int32Array(control);
  // This thread reads and hashes the first algorithm itself; one worker per further algorithm.
  const [own, ...others] = algorithms as [A, ...A[]];
  const ownHash = createHash(own);
  const workers = others.map(
    (algorithm) => new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm, data, control, chunk: CHUNK, slots: SLOTS } }),
  );
  const results = workers.map(
    (w) =>
      new Promise<Uint8Array>((resolve, reject) => {
        w.once("message", (d: Uint8Array) => resolve(new Uint8Array(d)));
        w.once("error", reject);
      }),
  );
  // A worker that dies would never release its slot: every wait also watches for that.
  const failure = new Promise<never>((_, reject) => {
    for (const w of workers) {
      w.once("error", reject);
      w.once("exit", (code) => code !== 0 && reject(new Error(`hash worker exited with code ${code}`)));
    }
  });
  failure.catch(() => {});
  for (const r of results) r.catch(() => {}); // reported through `failure`, never as unhandled

  let total = 0;
  try {
    for (let i = 0; ; i++) {
      const slot = i % SLOTS;
      for (let pending; (pending = Atomics.load(words, slotPending(slot))) !== 0; ) {
        const wait = Atomics.waitAsync(words, slotPending(slot), pending);
        if (wait.async) await Promise.race([wait.value, failure]);
      }
      const view = new Uint8Array(data, slot * CHUNK, CHUNK);
      const n = readSync(fd, view, 0, CHUNK, null);
      Atomics.store(words, slotLength(slot), n === 0 ? -1 : n);
      Atomics.store(words, slotPending(slot), n === 0 ? 0 : workers.length);
      Atomics.add(words, PUBLISHED, 1);
      Atomics.notify(words, PUBLISHED);
      if (n === 0) break;
      // Hashed after publishing, so the workers hash the same chunk meanwhile; the slot is not
      // reused before this returns, since the loop reads the next slot first.
      ownHash.update(view.subarray(0, n));
      total += n;
      onProgress?.(total, size);
    }
    const digests = [new Uint8Array(ownHash.digest()), ...(await Promise.race([Promise.all(results), failure]))];
    return { digests: Object.fromEntries(algorithms.map((a, i) => [a, digests[i]!])) as Record<A, Uint8Array>, size: total };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
