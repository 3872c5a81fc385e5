/**
 * Callers that ask for the same key while a load is running share that load: when a cached value expires under a
 * burst of scans, one query refreshes it instead of one per scan.
 */
export class SingleFlight<V> {
  private readonly pending = new Map<string, Promise<V>>();

  run(key: string, load: () => Promise<V>): Promise<V> {
    let shared = this.pending.get(key);
    if (!shared) {
      shared = load().finally(() => this.pending.delete(key));
      this.pending.set(key, shared);
    }
    return shared;
  }
}
