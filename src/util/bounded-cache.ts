/**
 * A map that keeps at most `capacity` entries, dropping the least recently used: for results that
 * are pure functions of their key (parsed statements by their SHA-256, launch-digest sweeps by
 * their inputs), so a long-running verifier computes each once without growing without bound.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, value);
  }

  /** The cached value, or `compute()`'s, remembered. */
  getOrCompute(key: K, compute: () => V): V {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = compute();
    this.set(key, value);
    return value;
  }
}
