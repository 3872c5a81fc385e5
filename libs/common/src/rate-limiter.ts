import { Injectable } from '@nestjs/common';
import { RedisConnection } from './redis/redis.module';
import { DomainError } from './errors';

/**
 * Fixed-window counters in Redis, shared by every api process. If Redis is unreachable the limiter lets the
 * request through: refusing check-ins during a Redis outage would hurt more than a brief lack of limiting.
 */
@Injectable()
export class RateLimiter {
  constructor(private readonly redis: RedisConnection) {}

  async consume(bucket: string, subject: string, limitPerMinute: number): Promise<void> {
    const window = Math.floor(Date.now() / 60000);
    const key = this.redis.key('rate', bucket, subject, String(window));
    let count: number;
    try {
      const result = await this.redis.client.multi().incr(key).expire(key, 61).exec();
      count = Number(result?.[0]?.[1] ?? 0);
    } catch {
      return;
    }
    if (count > limitPerMinute) {
      const retryAfterSeconds = 60 - Math.floor((Date.now() / 1000) % 60);
      throw new DomainError('rate_limited', 'Too many attempts; wait a moment and try again.', { retryAfterSeconds });
    }
  }
}
