import { Injectable } from '@nestjs/common';
import { RedisConnection } from '@app/common';

/** How long Redis remembers a key: well past a scanner's retries of one scan. */
const IDEMPOTENCY_HINT_TTL_SECONDS = 600;

/**
 * Which Idempotency-Keys are new, so the first request of a scan skips the database lookup for an earlier attempt
 * (a statement per batch, on every scan's critical path, for a repeat that almost never comes).
 *
 * A hint only. Redis keeps a key 10 minutes and may lose it (a restart keeps nothing); the database's unique
 * (user, key) constraint decides, and CheckInService still gives a repeat that slipped past a lost hint its first
 * response. With Redis unreachable there is no hint and the lookup runs.
 */
@Injectable()
export class IdempotencyKeyHints {
  constructor(private readonly redis: RedisConnection) {}

  /** True only when Redis took the key as never used (and remembers it now); false when used, or unknown. */
  async firstUse(userId: string, key: string): Promise<boolean> {
    try {
      return (await this.redis.client.set(this.hintKey(userId, key), '1', 'EX', IDEMPOTENCY_HINT_TTL_SECONDS, 'NX')) === 'OK';
    } catch {
      return false;
    }
  }

  /** The Redis key holding the hint (tests drop it to play a Redis that lost it). */
  hintKey(userId: string, key: string): string {
    return this.redis.key('idempotency', userId, key);
  }
}
