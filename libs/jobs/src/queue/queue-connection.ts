import type { RedisOptions } from 'bullmq';
import type { AppConfig } from '@app/config';

/** Every BullMQ key of this deployment lives under `<REDIS_PREFIX>:bull`, so test files and deployments sharing one Redis never meet. */
export const bullPrefix = (config: AppConfig): string => `${config.redis.prefix}:bull`;

const reconnectDelay = (times: number): number => Math.min(times * 250, 3000);

/**
 * Producers (api and worker) fail fast while Redis is down instead of queueing commands in memory: a request must
 * never hang on Redis. What could not be queued is recorded in PostgreSQL and queued again later (JobRunDispatcher).
 */
export function producerConnection(config: AppConfig): RedisOptions {
  return {
    url: config.redis.url,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: reconnectDelay,
  };
}

/** Workers wait for Redis as long as it takes (BullMQ requires maxRetriesPerRequest null for blocking reads). */
export function workerConnection(config: AppConfig): RedisOptions {
  return {
    url: config.redis.url,
    maxRetriesPerRequest: null,
    connectTimeout: 2000,
    retryStrategy: reconnectDelay,
  };
}
