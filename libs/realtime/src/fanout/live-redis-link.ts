import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import { AppConfig } from '@app/config';

export interface FanoutAttachment {
  /** Resolves true once both connections answer, false if they did not within `timeoutMs`. */
  connected(timeoutMs: number): Promise<boolean>;
}

/**
 * The Redis connections behind the live board's fan-out between processes (@socket.io/redis-adapter).
 * One publishing connection per process, which fails fast while Redis is down (the relay then keeps events in the
 * outbox and retries), and one subscribing connection per socket.io server. Channels are namespaced by
 * REDIS_PREFIX. Nothing here blocks start-up: adapters are installed when Redis answers, however late.
 */
@Injectable()
export class LiveRedisLink implements OnApplicationShutdown {
  private readonly logger = new Logger(LiveRedisLink.name);
  private readonly rawPub: Redis;
  private readonly subscribers: Redis[] = [];
  private closed = false;
  /** socket.io channel prefix: `<REDIS_PREFIX>:live#/live#<room>#`. */
  readonly key: string;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    this.key = `${config.redis.prefix}:live`;
    this.rawPub = new Redis(config.redis.url, {
      ...this.baseOptions(),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
      enableAutoPipelining: true, // a relay batch's publishes go out in one write
    });
    this.watchErrors(this.rawPub, 'publish');
  }

  /** Whether a publish would be sent now. */
  get isUp(): boolean {
    return this.rawPub.status === 'ready';
  }

  /**
   * Resolves once every command sent before it on the publishing connection has been processed by Redis (Redis
   * answers a connection's commands in order), false if Redis did not answer within `timeoutMs`. The relay marks
   * events published only after this says yes.
   */
  async fence(timeoutMs = 1000): Promise<boolean> {
    if (!this.isUp) return false;
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        this.rawPub.ping(),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), timeoutMs);
        }),
      ]);
      return reply === 'PONG';
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Calls `listener` each time the publishing connection (re)connects. */
  onPublisherReady(listener: () => void): void {
    this.rawPub.on('ready', listener);
  }

  /**
   * Installs the Redis adapter on `server` at once. Its subscription waits in the connection's offline queue until
   * Redis answers, so start-up never depends on Redis; `onSubscribed` runs each time the subscription connection
   * becomes ready (first connect, and after every drop: whatever was published meanwhile was missed).
   */
  attach(server: Server, onSubscribed?: () => void): FanoutAttachment {
    const sub = new Redis(this.config.redis.url, { ...this.baseOptions(), maxRetriesPerRequest: null });
    this.watchErrors(sub, 'subscribe');
    this.subscribers.push(sub);
    server.adapter(createAdapter(this.unawaitedCommandsSafe(this.rawPub), this.unawaitedCommandsSafe(sub), { key: this.key, requestsTimeout: 2000 }));
    if (onSubscribed) sub.on('ready', onSubscribed);
    const bothReady = (): boolean => this.rawPub.status === 'ready' && sub.status === 'ready';
    return {
      connected: async (timeoutMs) => {
        const deadline = Date.now() + timeoutMs;
        while (!bothReady() && !this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        return bothReady();
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const client of [this.rawPub, ...this.subscribers]) client.disconnect();
  }

  private baseOptions() {
    return {
      connectTimeout: 2000,
      retryStrategy: (times: number) => Math.min(times * 200, 2000),
      lazyConnect: false,
    };
  }

  private watchErrors(client: Redis, role: string): void {
    let lastLogged = 0;
    client.on('error', (err: Error) => {
      // ioredis retries every 2 s while Redis is down; one line every 30 s is enough.
      if (Date.now() - lastLogged > 30000) {
        lastLogged = Date.now();
        this.logger.warn(`live fan-out: Redis ${role} connection: ${err.message}`);
      }
    });
  }

  /**
   * The adapter sends these commands without awaiting them; during an outage or at shutdown they reject, and an
   * unobserved rejection would crash the process. Whether a publish really reached Redis is the relay's `fence`.
   */
  private unawaitedCommandsSafe(client: Redis): Redis {
    const fireAndForget = new Set<PropertyKey>(['publish', 'subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe']);
    return new Proxy(client, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (!fireAndForget.has(prop)) return method.bind(target);
        return (...args: unknown[]) => {
          const result = method.apply(target, args);
          return result instanceof Promise ? result.catch(() => undefined) : result;
        };
      },
    });
  }
}
