import type { Env, PrimarySourceSetting, PublicJwk } from './config.schema';

/**
 * The typed configuration, grouped by concern. Injected by class token (`constructor(private config: AppConfig)`).
 */
export abstract class AppConfig {
  abstract readonly env: Env['NODE_ENV'];
  abstract readonly http: { port: number; corsOrigins: string[]; webDir?: string };
  abstract readonly log: { level: Env['LOG_LEVEL']; format: Env['LOG_FORMAT']; file?: string };
  /** `migrationUrl`: the schema owner's connection (MIGRATION_DATABASE_URL, else `url`). */
  abstract readonly database: { url: string; migrationUrl: string; poolSize: number };
  abstract readonly redis: { url: string; prefix: string };
  abstract readonly auth: {
    /** Private JWKs (JSON) from the environment; absent: generated and sealed under `keyEncryptionKey`. */
    tokenSigningKey?: string;
    checkpointSigningKey?: string;
    /** Base64 of 32 bytes; absent outside production: a development key kept in a local file (see ServerKeysService). */
    keyEncryptionKey?: string;
    accessTokenTtlSeconds: number;
    bootstrapAdmin?: { email: string; password: string; mustChangePassword: boolean };
    loginRateLimitPerMinute: number;
    checkinRateLimitPerMinute: number;
    verifyRateLimitPerMinute: number;
  };
  abstract readonly fetch: {
    insecureHosts: string[];
    allowPrivateNetwork: boolean;
    timeoutMs: number;
    maxBytes: number;
    cacheTtlSeconds: number;
  };
  abstract readonly verification: { clockSkewSeconds: number; statusListMinBits: number; jsonLdContextsDir?: string };
  abstract readonly reverification: {
    sweepIntervalMs: number;
    expiryWarningHours: number;
    workerConcurrency: number;
    batchSize: number;
    /** A sweep of at least `shardMinDeployments` runs as this many range shards that any worker takes (1: one run). */
    sweepShards: number;
    shardMinDeployments: number;
    statusListRefreshCheckMs: number;
  };
  abstract readonly jobs: { attempts: number; backoffMs: number; lockDurationMs: number; stalledIntervalMs: number; dispatchIntervalMs: number };
  /** `trustedCheckpointKeys`: pinned public keys whose checkpoints verify, besides the server's own. */
  abstract readonly audit: { checkpointIntervalMs: number; trustedCheckpointKeys: PublicJwk[] };
  abstract readonly accountability: { tickMs: number };
  abstract readonly live: { relayEnabled: boolean; relayPollMs: number; resyncMaxEvents: number };
  /** `port` undefined: no metrics endpoint. */
  abstract readonly metrics: { port?: number; host: string; token?: string };
  /** Days after which personal contents are purged (0: kept); the purge runs every `purgeIntervalMs`. */
  abstract readonly retention: { credentialCopyDays: number; scanResponseDays: number; purgeIntervalMs: number };
  /** `otlpEndpoint` undefined: tracing off. */
  abstract readonly tracing: { otlpEndpoint?: string };
  /** Deployment records (docs/deployment-records.md); `issuerDid` unset: none are issued. */
  abstract readonly records: { issuerDid?: string; issuerName: string; jurisdiction: string; signingKey?: string };
  /** Primary sources (docs/primary-source.md); `sources` empty: licence-number check-in is off. */
  abstract readonly primarySource: { sources: PrimarySourceSetting[]; relookupMs: number; noticeUrl?: string };
  /**
   * The HMAC key of every identifier kept only for matching (MATCHING_HASH_KEY, else LICENCE_HASH_KEY); unset
   * outside production: DEVELOPMENT_MATCHING_HASH_KEY, so tests and development databases hash alike.
   */
  abstract readonly matching: { hashKey: Buffer };
}

/** The matching key outside production when none is set (production refuses to start without one). */
export const DEVELOPMENT_MATCHING_HASH_KEY: Buffer = Buffer.from('responder-check-in development licence hash key', 'utf8');

export function toAppConfig(env: Env): AppConfig {
  const admin =
    env.BOOTSTRAP_ADMIN_EMAIL && env.BOOTSTRAP_ADMIN_PASSWORD
      ? { email: env.BOOTSTRAP_ADMIN_EMAIL.toLowerCase(), password: env.BOOTSTRAP_ADMIN_PASSWORD, mustChangePassword: env.BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD }
      : undefined;
  return Object.freeze({
    env: env.NODE_ENV,
    http: { port: env.PORT, corsOrigins: env.CORS_ORIGINS, webDir: env.WEB_DIR },
    log: { level: env.LOG_LEVEL, format: env.LOG_FORMAT, file: env.LOG_FILE },
    database: { url: env.DATABASE_URL, migrationUrl: env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE },
    redis: { url: env.REDIS_URL, prefix: env.REDIS_PREFIX },
    auth: {
      tokenSigningKey: env.AUTH_SIGNING_KEY,
      checkpointSigningKey: env.CHECKPOINT_SIGNING_KEY,
      keyEncryptionKey: env.KEY_ENCRYPTION_KEY,
      accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      bootstrapAdmin: admin,
      loginRateLimitPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE,
      checkinRateLimitPerMinute: env.CHECKIN_RATE_LIMIT_PER_MINUTE,
      verifyRateLimitPerMinute: env.VERIFY_RATE_LIMIT_PER_MINUTE,
    },
    fetch: {
      insecureHosts: env.FETCH_INSECURE_HOSTS.map((h) => h.toLowerCase()),
      allowPrivateNetwork: env.FETCH_ALLOW_PRIVATE_NETWORK,
      timeoutMs: env.FETCH_TIMEOUT_MS,
      maxBytes: env.FETCH_MAX_BYTES,
      cacheTtlSeconds: env.FETCH_CACHE_TTL_SECONDS,
    },
    verification: { clockSkewSeconds: env.CLOCK_SKEW_SECONDS, statusListMinBits: env.STATUS_LIST_MIN_BITS, jsonLdContextsDir: env.JSONLD_CONTEXTS_DIR },
    accountability: { tickMs: env.PAR_TICK_MS },
    reverification: {
      sweepIntervalMs: env.SWEEP_INTERVAL_MS,
      expiryWarningHours: env.EXPIRY_WARNING_HOURS,
      workerConcurrency: env.WORKER_CONCURRENCY,
      batchSize: env.REVERIFY_BATCH_SIZE,
      sweepShards: env.REVERIFY_SWEEP_SHARDS,
      shardMinDeployments: env.REVERIFY_SHARD_MIN_DEPLOYMENTS,
      statusListRefreshCheckMs: env.STATUS_LIST_REFRESH_CHECK_MS,
    },
    jobs: {
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      lockDurationMs: env.JOB_LOCK_DURATION_MS,
      stalledIntervalMs: env.JOB_STALLED_INTERVAL_MS,
      dispatchIntervalMs: env.JOB_DISPATCH_INTERVAL_MS,
    },
    audit: { checkpointIntervalMs: env.AUDIT_CHECKPOINT_INTERVAL_MS, trustedCheckpointKeys: env.AUDIT_TRUSTED_CHECKPOINT_KEYS },
    live: { relayEnabled: env.LIVE_RELAY_ENABLED, relayPollMs: env.LIVE_RELAY_POLL_MS, resyncMaxEvents: env.LIVE_RESYNC_MAX_EVENTS },
    metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST, token: env.METRICS_TOKEN },
    tracing: { otlpEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT },
    retention: {
      credentialCopyDays: env.RETENTION_CREDENTIAL_COPY_DAYS,
      scanResponseDays: env.RETENTION_SCAN_RESPONSE_DAYS,
      purgeIntervalMs: env.RETENTION_PURGE_INTERVAL_MS,
    },
    records: {
      issuerDid: env.RECORDS_ISSUER_DID,
      issuerName: env.RECORDS_ISSUER_NAME,
      jurisdiction: env.RECORDS_ISSUER_JURISDICTION,
      signingKey: env.RECORDS_SIGNING_KEY,
    },
    primarySource: {
      sources: env.PRIMARY_SOURCES ?? [],
      relookupMs: env.PRIMARY_SOURCE_RELOOKUP_MS,
      noticeUrl: env.PRIMARY_SOURCE_NOTICE_URL,
    },
    matching: { hashKey: matchingHashKey(env) },
  });
}

function matchingHashKey(env: Env): Buffer {
  const configured = env.MATCHING_HASH_KEY ?? env.LICENCE_HASH_KEY;
  return configured ? Buffer.from(configured, 'base64') : DEVELOPMENT_MATCHING_HASH_KEY;
}
