import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('shares one load among concurrent callers of a key, and loads again once it settled', async () => {
    const flight = new SingleFlight<number>();
    let loads = 0;
    const load = () => new Promise<number>((resolve) => setTimeout(() => resolve(++loads), 5));
    const first = await Promise.all([flight.run('a', load), flight.run('a', load), flight.run('b', load)]);
    expect(first).toEqual([1, 1, 2]);
    expect(await flight.run('a', load)).toBe(3);
  });

  it('hands a failure to every waiting caller, and the next call tries again', async () => {
    const flight = new SingleFlight<number>();
    let calls = 0;
    const failing = () => new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`down ${++calls}`)), 5));
    const results = await Promise.allSettled([flight.run('k', failing), flight.run('k', failing)]);
    expect(results.map((r) => r.status === 'rejected' && (r.reason as Error).message)).toEqual(['down 1', 'down 1']);
    await expect(flight.run('k', async () => 7)).resolves.toBe(7);
  });
});
