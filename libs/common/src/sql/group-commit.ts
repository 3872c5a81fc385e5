import { isTransientConflict } from './database-errors';

/** Runs of one batch when PostgreSQL gives its statement up to break a deadlock (or a serialization failure). */
const CONFLICT_ATTEMPTS = 3;

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
 * `writeBatch` is atomic (one statement or one transaction) and returns one result per item, in order. A batch that
 * PostgreSQL gave up to break a deadlock committed nothing and is written again, whole (up to 3 runs). When a batch
 * of several fails because of an item (a unique violation, say), each item is written again on its own (in order),
 * so the bad one fails only its own caller; any other failure (the database unreachable, a timeout) is every
 * caller's at once.
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
    let results: Out[];
    try {
      results = await this.writeWhole(batch.map((p) => p.item));
    } catch (err) {
      if (batch.length === 1 || !causedByAnItem(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      return this.writeOneByOne(batch);
    }
    // Checked outside the try: a batch that was written must never be written again.
    if (results.length !== batch.length) {
      const err = new Error(`GroupCommit: ${results.length} results for ${batch.length} items`);
      for (const p of batch) p.reject(err);
      return;
    }
    batch.forEach((p, i) => p.resolve(results[i]));
  }

  private async writeWhole(items: In[]): Promise<Out[]> {
    for (let run = 1; ; run++) {
      try {
        return await this.writeBatch(items);
      } catch (err) {
        if (run < CONFLICT_ATTEMPTS && isTransientConflict(err)) continue;
        throw err;
      }
    }
  }

  private async writeOneByOne(batch: Array<Pending<In, Out>>): Promise<void> {
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

/**
 * An error one item can cause and the others would not share: PostgreSQL's integrity violations (SQLSTATE class
 * 23: unique, foreign key, check...), "ON CONFLICT DO UPDATE cannot affect a row twice" (21000) and a deadlock or
 * serialization failure that kept coming back. A lost connection or a timeout would fail every item again, one by one.
 */
function causedByAnItem(err: unknown): boolean {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return (typeof code === 'string' && (code.startsWith('23') || code === '21000')) || isTransientConflict(err);
}
