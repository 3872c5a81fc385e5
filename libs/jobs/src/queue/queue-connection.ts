import type { RedisOptions } from 'bullmq';
import type { AppConfig } from '@app/config';

/** Every BullMQ key of this deployment lives under `<REDIS_PREFIX>:bull`, so test files and deployments sharing one Redis never meet. */
export const bullPrefix = (config: AppConfig): string => `${config.redis.prefix}:bull`;

const reconnectDelay = (times: number): number => Math.min(times * 250, 3000);

/**
 * Producers (api and worker) fail fast while Redis is down instead of queueing commands in memory: a request must
 * never hang on Redis. What could not be queued is recorded in PostgreSQL and queued again later (JobRunDispatcher).
 *
 * maxRetriesPerRequest is null, not a small number: a BullMQ Queue sets its connection up once (an INFO version
 * check when first used), and if ioredis rejects that command after N failed reconnects the Queue stays broken for
 * good, even once Redis is back (issue #6). With null a command cut mid-flight is re-sent after the reconnect
 * instead; new commands still fail at once while Redis is down (no offline queue), and every caller waits with a
 * deadline (JobProducer), so nothing hangs. The connection itself is opened by its owner (JobQueues), which also
 * drops it at shutdown.
 */
export function producerConnection(): RedisOptions {
  return {
    maxRetriesPerRequest: null,
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
