import type { Env } from './config.schema';

/**
 * The typed configuration, grouped by concern. Injected by class token (`constructor(private config: AppConfig)`).
 */
export abstract class AppConfig {
  abstract readonly env: Env['NODE_ENV'];
  abstract readonly http: { port: number; corsOrigins: string[] };
  abstract readonly log: { level: Env['LOG_LEVEL'] };
  abstract readonly database: { url: string; poolSize: number };
  abstract readonly redis: { url: string; prefix: string };
  abstract readonly auth: {
    signingKey?: string;
    accessTokenTtlSeconds: number;
    bootstrapAdmin?: { email: string; password: string };
    loginRateLimitPerMinute: number;
    checkinRateLimitPerMinute: number;
  };
  abstract readonly fetch: {
    insecureHosts: string[];
    allowPrivateNetwork: boolean;
    timeoutMs: number;
    maxBytes: number;
    cacheTtlSeconds: number;
  };
  abstract readonly verification: { clockSkewSeconds: number; statusListMinBits: number };
  abstract readonly reverification: { sweepIntervalMs: number; expiryWarningHours: number; workerConcurrency: number };
}

export function toAppConfig(env: Env): AppConfig {
  const admin =
    env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
      ? { email: env.BOOTSTRAP_ADMIN_EMAIL.toLowerCase(), password: env.BOOTSTRAP_ADMIN_PASSWORD }
      : undefined;
  return Object.freeze({
    env: env.NODE_ENV,
    http: { port: env.PORT, corsOrigins: env.CORS_ORIGINS },
    log: { level: env.LOG_LEVEL },
    database: { url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    auth: {
      signingKey: env.AUTH_SIGNING_KEY,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      bootstrapAdmin: admin,
      loginRateLimitPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE,
      checkinRateLimitPerMinute: env.CHECKIN_RATE_LIMIT_PER_MINUTE,
    },
    fetch: {
      insecureHosts: env.FETCH_INSECURE_HOSTS.map((h) => h.toLowerCase()),
      allowPrivateNetwork: env.FETCH_ALLOW_PRIVATE_NETWORK,
      timeoutMs: env.FETCH_TIMEOUT_MS,
      maxBytes: env.FETCH_MAX_BYTES,
      cacheTtlSeconds: env.FETCH_CACHE_TTL_SECONDS,
    },
    verification: { clockSkewSeconds: env.CLOCK_SKEW_SECONDS, statusListMinBits: env.STATUS_LIST_MIN_BITS },
    reverification: {
      sweepIntervalMs: env.SWEEP_INTERVAL_MS,
      expiryWarningHours: env.EXPIRY_WARNING_HOURS,
      workerConcurrency: env.WORKER_CONCURRENCY,
    },
  });
}
