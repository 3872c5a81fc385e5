import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { InMemoryStatusListStore, StatusListStore, type StoredStatusList } from './status-list-store';

/** The part of RedisConnection (@app/common) this store needs. */
export interface RedisHandle {
  readonly client: Redis;
  key(...parts: string[]): string;
}

/** How long a list stays in Redis after it went stale: long enough to revalidate it with If-None-Match. */
const RETAIN_AFTER_EXPIRY_MS = 24 * 60 * 60 * 1000;
/** Redis calls on the verification path give up quickly: a slow Redis must not slow check-in. */
const REDIS_TIMEOUT_MS = 250;

/**
 * Status lists shared by all processes through Redis: one hash per list URL holding the gzip bytes and the metadata
 * (fetchedAt, expiresAt, etag, version). If Redis is unreachable, reads and writes fall back to process memory, so a
 * Redis outage never fails a check-in; it only costs extra fetches.
 */
export class RedisStatusListStore extends StatusListStore {
  private readonly fallback = new InMemoryStatusListStore();

  constructor(private readonly redis: RedisHandle) {
    super();
  }

  private keyFor(url: string): string {
    return this.redis.key('statuslist', createHash('sha256').update(url).digest('hex'));
  }

  async get(url: string): Promise<StoredStatusList | undefined> {
    try {
      const fields = await withTimeout(this.redis.client.hgetallBuffer(this.keyFor(url)));
      if (!fields.meta || !fields.gzip) return this.fallback.get(url);
      const meta = JSON.parse(fields.meta.toString('utf8')) as Omit<StoredStatusList, 'gzip'>;
      if (meta.url !== url) return this.fallback.get(url);
      return { ...meta, gzip: new Uint8Array(fields.gzip) };
    } catch {
      return this.fallback.get(url);
    }
  }

  async put(list: StoredStatusList): Promise<void> {
    await this.fallback.put(list);
    const { gzip, ...meta } = list;
    const key = this.keyFor(list.url);
    const retainMs = Math.max(list.expiresAt - Date.now(), 0) + RETAIN_AFTER_EXPIRY_MS;
    try {
      await withTimeout(
        this.redis.client
          .multi()
          .hset(key, { meta: JSON.stringify(meta), gzip: Buffer.from(gzip) })
          .pexpire(key, Math.min(retainMs, 30 * RETAIN_AFTER_EXPIRY_MS))
          .exec(),
      );
    } catch {
      // Memory already holds it; other processes will fetch for themselves until Redis is back.
    }
  }
}

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('redis timeout')), REDIS_TIMEOUT_MS);
        timer.unref?.();
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
