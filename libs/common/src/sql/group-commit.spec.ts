import { GroupCommit } from './group-commit';

/** A writer whose batches finish only when the test says so, recording what each batch held. */
function controlledWriter(fail: (item: number) => boolean = () => false) {
  const batches: number[][] = [];
  const release: Array<() => void> = [];
  let inFlight = 0;
  let maxSeenInFlight = 0;
  const write = async (items: number[]): Promise<string[]> => {
    batches.push(items);
    inFlight++;
    maxSeenInFlight = Math.max(maxSeenInFlight, inFlight);
    await new Promise<void>((r) => release.push(r));
    inFlight--;
    if (items.some(fail)) throw Object.assign(new Error(`bad item in ${items.join(',')}`), { code: '23505' }); // a unique violation
    return items.map((i) => `written ${i}`);
  };
  const releaseAll = async (): Promise<void> => {
    // Let scheduled batches start, then finish every one in flight, until nothing is left.
    for (let round = 0; round < 20; round++) {
      await new Promise((r) => setImmediate(r));
      while (release.length) release.shift()!();
    }
  };
  return { write, batches, releaseAll, maxInFlight: () => maxSeenInFlight };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, in a batch of its own', async () => {
    const w = controlledWriter();
    const group = new GroupCommit(w.write);
    const result = group.submit(1);
    await w.releaseAll();
    await expect(result).resolves.toBe('written 1');
    expect(w.batches).toEqual([[1]]);
    expect(group.idle).toBe(true);
  });

  it('gathers what arrives while a batch is being written into the next batch, and answers each caller', async () => {
    const w = controlledWriter();
    const group = new GroupCommit(w.write);
    const first = group.submit(1);
    await new Promise((r) => setImmediate(r)); // batch [1] is in flight now
    const rest = [2, 3, 4].map((i) => group.submit(i));
    expect(group.idle).toBe(false);
    await w.releaseAll();
    await expect(first).resolves.toBe('written 1');
    await expect(Promise.all(rest)).resolves.toEqual(['written 2', 'written 3', 'written 4']);
    expect(w.batches).toEqual([[1], [2, 3, 4]]);
    expect(w.maxInFlight()).toBe(1);
  });

  it('keeps batches within maxBatch and runs up to maxInFlight at once', async () => {
    const w = controlledWriter();
    const group = new GroupCommit(w.write, { maxBatch: 2, maxInFlight: 2 });
    const all = [1, 2, 3, 4, 5].map((i) => group.submit(i));
    await w.releaseAll();
    await Promise.all(all);
    expect(w.batches).toEqual([[1, 2], [3, 4], [5]]);
    expect(w.maxInFlight()).toBe(2);
  });

  it('when a batch fails, writes each item again alone so only the bad one fails', async () => {
    const w = controlledWriter((i) => i === 3);
    const group = new GroupCommit(w.write);
    const first = group.submit(1);
    await new Promise((r) => setImmediate(r));
    const rest = Promise.allSettled([2, 3, 4].map((i) => group.submit(i)));
    await w.releaseAll();
    await first;
    const settled = await rest;
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as Error).message).toBe('bad item in 3');
    expect(w.batches).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it('rejects a batch writer that answers for the wrong number of items', async () => {
    const group = new GroupCommit(async (items: number[]) => items.slice(1));
    await expect(group.submit(1)).rejects.toThrow('GroupCommit: 0 results for 1 items');
  });

  it('never writes again a batch that was written but answered for the wrong number of items', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit(async (items: number[]) => {
      batches.push(items);
      return items.slice(1);
    });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => group.submit(i)));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('a failure no item caused (the database gone, a timeout) fails every caller at once, without writing each again', async () => {
    const batches: number[][] = [];
    const group = new GroupCommit(async (items: number[]): Promise<number[]> => {
      batches.push(items);
      throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    });
    const settled = await Promise.allSettled([1, 2, 3].map((i) => group.submit(i)));
    expect(settled.map((s) => s.status === 'rejected' && (s.reason as Error).message)).toEqual(Array(3).fill('Connection terminated unexpectedly'));
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('runs a batch PostgreSQL gave up to break a deadlock again, whole, and at most three times', async () => {
    const batches: number[][] = [];
    let deadlocks = 1;
    const group = new GroupCommit(async (items: number[]) => {
      batches.push(items);
      if (deadlocks-- > 0) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      return items.map((i) => i * 10);
    });
    await expect(Promise.all([1, 2, 3].map((i) => group.submit(i)))).resolves.toEqual([10, 20, 30]);
    expect(batches).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);

    batches.length = 0;
    deadlocks = Infinity;
    const settled = await Promise.allSettled([4].map((i) => group.submit(i)));
    expect(settled[0]).toMatchObject({ status: 'rejected', reason: { code: '40P01' } });
    expect(batches).toEqual([[4], [4], [4]]);
  });
});
