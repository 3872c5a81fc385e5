import { Injectable } from '@nestjs/common';
import { RedisConnection } from './redis/redis.module';
import { DomainError } from './errors';

/**
 * Fixed-window counters in Redis, shared by every api process. If Redis is unreachable the limiter lets the
 * request through: refusing check-ins during a Redis outage would hurt more than a brief lack of limiting.
 */
/** INCR, and EXPIRE on the window's first hit: one round trip and one reply, where MULTI/INCR/EXPIRE/EXEC took four. */
const COUNT_IN_WINDOW = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

@Injectable()
export class RateLimiter {
  private readonly countInWindow: (key: string, ttlSeconds: number) => Promise<number>;

  constructor(private readonly redis: RedisConnection) {
    redis.client.defineCommand('rateLimiterCount', { numberOfKeys: 1, lua: COUNT_IN_WINDOW });
    const client = redis.client as typeof redis.client & { rateLimiterCount(key: string, ttl: number): Promise<number> };
    this.countInWindow = (key, ttl) => client.rateLimiterCount(key, ttl);
  }

  async consume(bucket: string, subject: string, limitPerMinute: number): Promise<void> {
    const window = Math.floor(Date.now() / 60000);
    const key = this.redis.key('rate', bucket, subject, String(window));
    let count: number;
    try {
      count = Number(await this.countInWindow(key, 61));
    } catch {
      return;
    }
    if (count > limitPerMinute) {
      const retryAfterSeconds = 60 - Math.floor((Date.now() / 1000) % 60);
      throw new DomainError('rate_limited', 'Too many attempts; wait a moment and try again.', { retryAfterSeconds });
    }
  }
}
