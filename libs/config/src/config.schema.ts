import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);
const int = (min: number, max: number) => {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

/**
 * Every environment variable the processes read, with its default. Parsed once at start
 * (see loadConfig); nothing else in the code base reads process.env.
 */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Append the log lines to this file instead of stdout (the e2e run writes one per test file and scans them for secrets). */
  LOG_FILE: z.string().min(1).optional(),
  /** pretty: text for a person; json: one JSON object a line; auto: pretty when stdout is a terminal and LOG_FILE is unset, else json. */
  LOG_FORMAT: z.enum(['auto', 'pretty', 'json'], { error: 'must be auto, pretty or json' }).default('auto'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/responder_checkin'),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Namespaces every Redis key (queues, socket.io channels, caches) so several deployments or test files can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[a-z0-9_-]+$/i, 'must be letters, digits, - or _').default('checkin'),
  /** Private EdDSA JWK (JSON) used to sign access tokens and audit checkpoints; generated and stored in the database when absent. */
  AUTH_SIGNING_KEY: z.string().optional(),
  ACCESS_TOKEN_TTL_SECONDS: int(60, 86400).default(900),
  BOOTSTRAP_ADMIN_EMAIL: z.email('must be an e-mail address').optional(),
  BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  LOGIN_RATE_LIMIT_PER_MINUTE: int(1, 10000).default(10),
  CHECKIN_RATE_LIMIT_PER_MINUTE: int(1, 100000).default(600),
  CORS_ORIGINS: csv.default([]),
  /** Folder of the built web app served under /app/ (default: dist/web next to the api build). */
  WEB_DIR: z.string().min(1).optional(),
  /** Hosts that may be fetched over plain http (local development and tests only), e.g. "localhost,127.0.0.1". */
  FETCH_INSECURE_HOSTS: csv.default([]),
  /** Allow fetches to private / loopback / link-local addresses (local development and tests only). */
  FETCH_ALLOW_PRIVATE_NETWORK: bool.default(false),
  FETCH_TIMEOUT_MS: int(100, 60000).default(3000),
  FETCH_MAX_BYTES: int(1024, 64 * 1024 * 1024).default(1024 * 1024),
  FETCH_CACHE_TTL_SECONDS: int(0, 86400).default(300),
  CLOCK_SKEW_SECONDS: int(0, 3600).default(60),
  STATUS_LIST_MIN_BITS: int(8, 1 << 30).default(131072),
  /**
   * A folder of further JSON-LD contexts for Data Integrity credentials (e.g. the Open Badges 3.0 contexts, which are
   * not bundled): its index.json lists {url, file, sha256}; each file is checked against its SHA-256 at start.
   */
  JSONLD_CONTEXTS_DIR: z.string().min(1).optional(),
  SWEEP_INTERVAL_MS: int(1000, 86400000).default(300000),
  EXPIRY_WARNING_HOURS: int(1, 720).default(12),
  WORKER_CONCURRENCY: int(1, 64).default(4),
  /** Reverification: deployments checked per block (one query, one bulk update, one checkpoint). */
  REVERIFY_BATCH_SIZE: int(100, 50000).default(2000),
  /** Reverification: how often the worker looks for status lists whose ttl / max-age ran out. */
  STATUS_LIST_REFRESH_CHECK_MS: int(1000, 3600000).default(15000),
  /** Queue: tries per job (first run included) before its failure is final; retries back off exponentially from JOB_BACKOFF_MS. */
  JOB_ATTEMPTS: int(1, 50).default(5),
  JOB_BACKOFF_MS: int(100, 600000).default(2000),
  /** Queue: a job whose worker stops renewing its lock (killed) is taken up again after this (stalled-job recovery). */
  JOB_LOCK_DURATION_MS: int(1000, 600000).default(30000),
  JOB_STALLED_INTERVAL_MS: int(500, 600000).default(30000),
  /** Queue: how often runs recorded in PostgreSQL but not (or no longer) on Redis are put on the queue again. */
  JOB_DISPATCH_INTERVAL_MS: int(500, 600000).default(5000),
  /** Audit: how often the worker signs checkpoints of the chains whose head moved (0 = never; POST /audit/checkpoints still works). */
  AUDIT_CHECKPOINT_INTERVAL_MS: int(0, 86400000).default(300000),
  /** Live board: run the outbox relay in this process (several processes may run it; rows are claimed with SKIP LOCKED). */
  LIVE_RELAY_ENABLED: bool.default(true),
  /** Live board: the relay's fallback poll when no NOTIFY arrives (NOTIFY normally wakes it at once). */
  LIVE_RELAY_POLL_MS: int(50, 60000).default(1000),
  /** Live board: a resync asking for more missed events than this gets a fresh snapshot instead. */
  LIVE_RESYNC_MAX_EVENTS: int(1, 10000).default(500),
  /** Benchmarks only (npm run bench:checkin -- --audit-comparison): leave the check-in's audit write out. Refused in production. */
  BENCHMARK_SKIP_AUDIT_WRITE: bool.default(false),
}).refine((env) => !(env.BENCHMARK_SKIP_AUDIT_WRITE && env.NODE_ENV === 'production'), {
  path: ['BENCHMARK_SKIP_AUDIT_WRITE'],
  message: 'must be false in production',
});

export type Env = z.infer<typeof envSchema>;
export type LogFormat = Env['LOG_FORMAT'];
