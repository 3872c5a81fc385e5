export interface GroupCommitOptions {
  /** Most items written by one batch. */
  maxBatch?: number;
  /** Batches written at the same time (1 keeps them in submission order). */
  maxInFlight?: number;
}

interface Pending<In, Out> {
  item: In;
  resolve: (out: Out) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: each caller submits one item and gets its own result, while items that arrive as a batch is being
 * written wait and go together in the next one: one statement and one commit for many callers. There is no timer:
 * an item submitted while nothing is in flight is written on the next turn of the event loop, so a quiet check-in
 * point adds no latency and a busy one shares statements, round trips and commits.
 *
 * `writeBatch` returns one result per item, in order. When a batch of several fails, each item is written again on
 * its own (in order), so one bad item (a unique violation, say) fails only its own caller.
 */
export class GroupCommit<In, Out> {
  private readonly queue: Array<Pending<In, Out>> = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(
    private readonly writeBatch: (items: In[]) => Promise<Out[]>,
    options: GroupCommitOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 64;
    this.maxInFlight = options.maxInFlight ?? 1;
  }

  submit(item: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Nothing queued and nothing being written. */
  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight === 0;
  }

  // setImmediate, not a microtask: requests read from other sockets in the same poll phase join the batch.
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      void this.flush(batch).finally(() => {
        this.inFlight--;
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async flush(batch: Array<Pending<In, Out>>): Promise<void> {
    try {
      const results = await this.writeBatch(batch.map((p) => p.item));
      if (results.length !== batch.length) throw new Error(`GroupCommit: ${results.length} results for ${batch.length} items`);
      batch.forEach((p, i) => p.resolve(results[i]));
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
    }
    for (const p of batch) {
      try {
        const [result] = await this.writeBatch([p.item]);
        p.resolve(result);
      } catch (err) {
        p.reject(err);
      }
    }
  }
}
