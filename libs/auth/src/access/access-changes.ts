import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisConnection } from '@app/common';
import { AppConfig } from '@app/config';

/**
 * A change that ends access somewhere. Published after the change is committed; every process drops what it cached
 * about the user and closes or narrows the user's open sockets.
 */
export type AccessChange =
  /** Tokens issued to this user before now no longer work: deactivated, or role, jurisdictions or password changed. */
  | { kind: 'user'; userId: string }
  /** The user was taken off the incident's staff. */
  | { kind: 'incident'; userId: string; incidentId: string }
  /** This process may have missed changes (its subscription was down): check everything again. */
  | { kind: 'unknown' };

export type AccessChangeListener = (change: AccessChange) => void;

/**
 * Tells every process about access changes, through a Redis channel (`<REDIS_PREFIX>:access-changes`); the process
 * that publishes hears its own change at once. When Redis is unreachable a change reaches the other processes through
 * their short caches instead (a few seconds, see UserAccessState and IncidentAccess); each (re)subscription is
 * announced to listeners as `unknown`, since changes published meanwhile were missed.
 */
@Injectable()
export class AccessChanges implements OnApplicationShutdown {
  private readonly logger = new Logger(AccessChanges.name);
  private readonly listeners = new Set<AccessChangeListener>();
  private readonly channel: string;
  private subscriber?: Redis;

  constructor(
    private readonly redis: RedisConnection,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    this.channel = redis.key('access-changes');
  }

  /** Call after the transaction that made the change has committed. Never throws: the caches bound what a lost message costs. */
  async publish(change: AccessChange): Promise<void> {
    this.dispatch(change);
    try {
      await this.redis.client.publish(this.channel, JSON.stringify(change));
    } catch (err) {
      this.logger.warn({ err }, 'access change not published to the other processes (they see it when their caches expire)');
    }
  }

  /** Calls `listener` for every change, from this process or another; returns the function that stops it. */
  listen(listener: AccessChangeListener): () => void {
    this.listeners.add(listener);
    this.subscribe();
    return () => this.listeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.subscriber?.disconnect();
  }

  /** The subscription is opened by the first listener: processes that only publish (the worker) hold no extra connection. */
  private subscribe(): void {
    if (this.subscriber) return;
    const subscriber = new Redis(this.config.redis.url, {
      connectTimeout: 2000,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    this.subscriber = subscriber;
    let lastWarned = 0;
    subscriber.on('error', (err: Error) => {
      if (Date.now() - lastWarned > 30_000) {
        lastWarned = Date.now();
        this.logger.warn(`access changes: Redis subscription: ${err.message}`);
      }
    });
    subscriber.on('ready', () => this.dispatch({ kind: 'unknown' }));
    subscriber.on('message', (_channel: string, message: string) => {
      const change = parseChange(message);
      if (change) this.dispatch(change);
    });
    subscriber.subscribe(this.channel).catch((err: unknown) => this.logger.warn({ err }, 'access changes: subscribe failed (retried on reconnect)'));
  }

  private dispatch(change: AccessChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch (err) {
        this.logger.error({ err }, 'access change listener failed');
      }
    }
  }
}

function parseChange(message: string): AccessChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  const v = value as Partial<Record<string, unknown>> | null;
  if (v?.kind === 'user' && typeof v.userId === 'string') return { kind: 'user', userId: v.userId };
  if (v?.kind === 'incident' && typeof v.userId === 'string' && typeof v.incidentId === 'string')
    return { kind: 'incident', userId: v.userId, incidentId: v.incidentId };
  if (v?.kind === 'unknown') return { kind: 'unknown' };
  return undefined;
}
