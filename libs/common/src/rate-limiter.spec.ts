import { DomainError } from './errors';
import { LocalWindows, RateLimiter } from './rate-limiter';
import type { RedisConnection } from './redis/redis.module';

/** A RedisConnection whose rate-limit script answers with `reply` (a count, or a rejection: Redis unreachable). */
function redisAnswering(reply: () => Promise<number>): RedisConnection {
  const client = { defineCommand: () => undefined, rateLimiterCount: reply };
  return { client, key: (...parts: string[]) => parts.join(':') } as unknown as RedisConnection;
}

const unreachable = () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));

async function outcome(attempt: Promise<void>): Promise<string> {
  try {
    await attempt;
    return 'ok';
  } catch (err) {
    return err instanceof DomainError ? `${err.code} ${String(err.details?.retryAfterSeconds)}` : String(err);
  }
}

describe('RateLimiter', () => {
  afterEach(() => jest.restoreAllMocks());

  it('refuses past the limit with Retry-After up to the end of the minute', async () => {
    jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1, 12, 0, 45, 500));
    let count = 0;
    const limiter = new RateLimiter(redisAnswering(async () => ++count));
    expect(await outcome(limiter.consume('verify', 'u1', 2))).toBe('ok');
    expect(await outcome(limiter.consume('verify', 'u1', 2))).toBe('ok');
    expect(await outcome(limiter.consume('verify', 'u1', 2))).toBe('rate_limited 15');
  });

  it('keeps limiting in memory while Redis is unreachable, per subject and per minute', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2026, 0, 1, 12, 0, 10));
    const limiter = new RateLimiter(redisAnswering(unreachable));
    for (let i = 0; i < 3; i++) expect(await outcome(limiter.consume('check-in', 'u1', 3))).toBe('ok');
    expect(await outcome(limiter.consume('check-in', 'u1', 3))).toBe('rate_limited 50');
    expect(await outcome(limiter.consume('check-in', 'u2', 3))).toBe('ok');
    expect(await outcome(limiter.consume('verify', 'u1', 3))).toBe('ok');
    now.mockReturnValue(Date.UTC(2026, 0, 1, 12, 1, 0));
    expect(await outcome(limiter.consume('check-in', 'u1', 3))).toBe('ok');
  });
});

describe('LocalWindows', () => {
  it('counts per subject within a window and starts again in the next', () => {
    const windows = new LocalWindows(10);
    expect([windows.count('a', 1), windows.count('a', 1), windows.count('b', 1), windows.count('a', 2)]).toEqual([1, 2, 1, 1]);
  });

  it('stays within its size, forgetting the least recently counted subject first', () => {
    const windows = new LocalWindows(3);
    windows.count('busy', 1);
    windows.count('a', 1);
    windows.count('busy', 1);
    windows.count('b', 1);
    windows.count('c', 1); // drops "a", seen before "busy" was counted again
    expect(windows.size).toBe(3);
    expect(windows.count('busy', 1)).toBe(3);
    expect(windows.count('a', 1)).toBe(1);
  });
});
