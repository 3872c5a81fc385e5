import { Injectable } from '@nestjs/common';
import { RedisConnection } from './redis/redis.module';
import { DomainError } from './errors';

/** INCR, and EXPIRE on the window's first hit: one round trip and one reply, where MULTI/INCR/EXPIRE/EXEC took four. */
const COUNT_IN_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/** Subjects a process counts on its own while Redis is unreachable; beyond it the least recently seen are forgotten. */
export const LOCAL_RATE_LIMIT_MAX_SUBJECTS = 10_000;

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute windows counted in this process, for when Redis cannot be reached. The map is bounded: past
 * `maxSubjects` the least recently counted subject is dropped (a subject being refused is counted on every try, so
 * it stays).
 */
export class LocalWindows {
  private readonly counts = new Map<string, { window: number; count: number }>();

  constructor(private readonly maxSubjects = LOCAL_RATE_LIMIT_MAX_SUBJECTS) {}

  /** Counts one hit of `subject` in `window` and returns the window's count so far. */
  count(subject: string, window: number): number {
    const entry = this.counts.get(subject);
    const count = entry && entry.window === window ? entry.count + 1 : 1;
    this.counts.delete(subject); // set again below, last: the map's order is least recently counted first
    this.counts.set(subject, { window, count });
    if (this.counts.size > this.maxSubjects) this.counts.delete(this.counts.keys().next().value as string);
    return count;
  }

  get size(): number {
    return this.counts.size;
  }
}

export function rateLimited(retryAfterSeconds: number): DomainError {
  return new DomainError('rate_limited', 'Too many attempts; wait a moment and try again.', { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
}

/**
 * Fixed-window counters in Redis, shared by every api process. While Redis is unreachable each process counts in
 * memory instead (LocalWindows), so the limit still holds per process: with N api processes a subject gets at
 * most N times its limit, never an unlimited stream.
 */
@Injectable()
export class RateLimiter {
  private readonly countInWindow: (key: string, ttlSeconds: number) => Promise<number>;
  private readonly local = new LocalWindows();

  constructor(private readonly redis: RedisConnection) {
    redis.client.defineCommand('rateLimiterCount', { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
    const client = redis.client as typeof redis.client & { rateLimiterCount(key: string, ttl: number): Promise<number> };
    this.countInWindow = (key, ttl) => client.rateLimiterCount(key, ttl);
  }

  /** Counts one attempt of `subject` in `bucket`; throws rate_limited (429, Retry-After) past `limitPerMinute`. */
  async consume(bucket: string, subject: string, limitPerMinute: number): Promise<void> {
    const now = Date.now();
    const window = Math.floor(now / WINDOW_MS);
    let count: number;
    try {
      count = Number(await this.countInWindow(this.redis.key('rate', bucket, subject, String(window)), 61));
    } catch {
      count = this.local.count(`${bucket}:${subject}`, window);
    }
    if (count > limitPerMinute) throw rateLimited(((window + 1) * WINDOW_MS - now) / 1000);
  }
}
