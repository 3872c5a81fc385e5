import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }).transform((v) => v === 'true' || v === '1' || v === 'yes');
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
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL');

/** The bootstrap password the README gives for local use: refused in production. */
export const DOCUMENTED_BOOTSTRAP_PASSWORD = 'change-me-on-first-sign-in';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEd25519 = (jwk: Record<string, unknown>): boolean => jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string';

const sourceId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and -');
const primarySourcesSchema = z
  .array(
    z.object({
      id: sourceId,
      kind: z.enum(['nursys', 'state-board']),
      name: z.string().min(1).max(200),
      baseUrl: z.url({ protocol: /^https?$/ }),
      states: z.array(z.string().regex(/^[A-Z]{2}$/)).min(1),
      professions: z.array(z.string().regex(/^[A-Z_]{2,20}$/)).min(1),
      noticeSecret: z.string().min(16).optional(),
      freshnessSeconds: z
        .number()
        .int()
        .min(0)
        .max(7 * 86400)
        .default(900),
      rateLimitPerMinute: z.number().int().min(1).max(100000).default(120),
      timeoutMs: z.number().int().min(100).max(60000).default(5000),
      maxResponseBytes: z
        .number()
        .int()
        .min(1024)
        .max(10 * 1024 * 1024)
        .default(64 * 1024),
      mapping: z.record(z.string(), z.union([z.string(), z.record(z.string(), z.string())])).optional(),
    }),
  )
  .max(50)
  .refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'source ids must be distinct');
export type PrimarySourceSetting = z.infer<typeof primarySourcesSchema>[number];

/** A private Ed25519 JWK in JSON (what `generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' })` gives). */
const privateJwk = z.string().refine((text) => {
  const jwk = parseJson(text);
  return isObject(jwk) && isEd25519(jwk) && typeof jwk.d === 'string';
}, 'must be a private Ed25519 JWK in JSON (kty OKP, crv Ed25519, with x and d)');

/** A JWK Set of public Ed25519 keys, each naming its kid: the checkpoint keys an auditor trusts. */
const publicJwks = z.string().transform((text, ctx): PublicJwk[] => {
  const value = parseJson(text);
  const keys = isObject(value) && Array.isArray(value.keys) ? value.keys : undefined;
  const valid = keys?.every((k: unknown) => isObject(k) && isEd25519(k) && typeof k.kid === 'string' && k.kid.length > 0 && !('d' in k));
  if (!keys || !valid) {
    ctx.addIssue({ code: 'custom', message: 'must be a JWK Set ({"keys": [...]}) of public Ed25519 keys, each with a kid and no private part' });
    return z.NEVER;
  }
  return (keys as Array<Record<string, string>>).map((k) => ({ kty: 'OKP', crv: 'Ed25519', x: k.x, kid: k.kid }));
});

/** 32 random bytes in base64 (`openssl rand -base64 32`): the AES-256-GCM key that seals generated signing keys. */
const keyEncryptionKey = z
  .string()
  .refine((v) => /^[A-Za-z0-9+/_-]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64 (openssl rand -base64 32)');

/** A public Ed25519 key as pinned in AUDIT_TRUSTED_CHECKPOINT_KEYS. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
}

/**
 * Every environment variable the processes read, with its default. Parsed once at start
 * (see loadConfig); nothing else in the code base reads process.env.
 */
const base64Key32 = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of 32 bytes');

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(0, 65535).default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Append the log lines to this file instead of stdout (the e2e run writes one per test file and scans them for secrets). */
    LOG_FILE: z.string().min(1).optional(),
    /** pretty: text for a person; json: one JSON object a line; auto: pretty when stdout is a terminal and LOG_FILE is unset, else json. */
    LOG_FORMAT: z.enum(['auto', 'pretty', 'json'], { error: 'must be auto, pretty or json' }).default('auto'),
    DATABASE_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/responder_checkin'),
    /** The role that owns the schema and runs migrations (default: DATABASE_URL). In production DATABASE_URL names a role that owns nothing. */
    MIGRATION_DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: int(1, 200).default(10),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .default('redis://127.0.0.1:6379'),
    /** Namespaces every Redis key (queues, socket.io channels, caches) so several deployments or test files can share one Redis. */
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9_-]+$/i, 'must be letters, digits, - or _')
      .default('checkin'),
    /** Private Ed25519 JWK (JSON) that signs access tokens. Without it the key is generated and kept sealed under KEY_ENCRYPTION_KEY. */
    AUTH_SIGNING_KEY: privateJwk.optional(),
    /** Private Ed25519 JWK (JSON) that signs audit checkpoints (never the access-token key). Without it: as AUTH_SIGNING_KEY. */
    CHECKPOINT_SIGNING_KEY: privateJwk.optional(),
    /** Seals (AES-256-GCM) the signing keys the server generates and stores in the database; never stored itself. */
    KEY_ENCRYPTION_KEY: keyEncryptionKey.optional(),
    /** The checkpoint keys audit verification trusts besides the server's own current one (e.g. retired keys). */
    AUDIT_TRUSTED_CHECKPOINT_KEYS: publicJwks.default([]),
    /** Capped at an hour: a token is the only thing a revoked device still holds, and it ends at the latest then. */
    ACCESS_TOKEN_TTL_SECONDS: int(60, 3600).default(900),
    BOOTSTRAP_ADMIN_EMAIL: z.email('must be an e-mail address').optional(),
    BOOTSTRAP_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    /** The first admin's password is temporary: sign-in allows nothing but choosing a new one (tests and benchmarks turn it off). */
    BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: bool.default(true),
    /** Sign-in attempts per account and address per minute (5x per address); also the failures before back-off (docs/check-in.md, "Rate limits"). */
    LOGIN_RATE_LIMIT_PER_MINUTE: int(1, 10000).default(10),
    /** Check-ins per signed-in user per minute, counted before the badge is verified. */
    CHECKIN_RATE_LIMIT_PER_MINUTE: int(1, 100000).default(600),
    /** POST /credentials/verify calls per signed-in user per minute. */
    VERIFY_RATE_LIMIT_PER_MINUTE: int(1, 100000).default(60),
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
    /** Accountability: how often the worker looks for PARs past their deadline and PAR timers that are due. */
    PAR_TICK_MS: int(100, 60000).default(1000),
    WORKER_CONCURRENCY: int(1, 64).default(4),
    /** Reverification: deployments checked per block (one query, one bulk update, one checkpoint). */
    REVERIFY_BATCH_SIZE: int(100, 50000).default(2000),
    /** Reverification: a sweep of at least REVERIFY_SHARD_MIN_DEPLOYMENTS is split into this many id-range shards (1: never split). */
    REVERIFY_SWEEP_SHARDS: int(1, 256).default(8),
    REVERIFY_SHARD_MIN_DEPLOYMENTS: int(1, 100000000).default(20000),
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
    /**
     * Deployment records: the issuing agency's did:web, on this deployment's own domain (e.g. did:web:checkin.ema.example.gov);
     * its DID document is served at /.well-known/did.json. Unset: no records are issued (check-out works as before).
     */
    RECORDS_ISSUER_DID: z
      .string()
      .regex(/^did:web:[A-Za-z0-9.-]+(%3A[0-9]{1,5})?$/, 'must be a did:web naming a host (and port as %3A<port>), without a path')
      .optional(),
    /** Deployment records: the agency's name, shown as the issuer. */
    RECORDS_ISSUER_NAME: z.string().min(1).max(200).default('State Emergency Management Agency'),
    /** Deployment records: the state the agency acts for (e.g. US-FL); the trust registry entry for its DID names it. */
    RECORDS_ISSUER_JURISDICTION: z
      .string()
      .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'must look like US-FL')
      .default('US'),
    /** Deployment records: a private Ed25519 JWK (JSON) that signs them. Without it the key is generated and kept sealed under KEY_ENCRYPTION_KEY. */
    RECORDS_SIGNING_KEY: privateJwk.optional(),
    /**
     * Primary sources (docs/primary-source.md): a JSON array of licensing authorities check-in may look licences up at,
     * each `{ id, kind: "nursys" | "state-board", name, baseUrl, states, professions, noticeSecret?, freshnessSeconds?,
     * rateLimitPerMinute?, timeoutMs?, maxResponseBytes?, mapping? }`. Unset: licence-number check-in is off.
     */
    PRIMARY_SOURCES: z
      .string()
      .transform((text, ctx): PrimarySourceSetting[] => {
        const parsed = primarySourcesSchema.safeParse(parseJson(text));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          ctx.addIssue({ code: 'custom', message: `must be a JSON array of primary sources (${issue.path.join('.')}: ${issue.message})` });
          return z.NEVER;
        }
        return parsed.data;
      })
      .optional(),
    /**
     * The key identifiers kept only for matching are hashed with (HMAC-SHA256): credential subject ids, licence
     * numbers; base64 of 32 bytes. Not rotated like a signing key: every stored hash depends on it (docs/security.md).
     */
    MATCHING_HASH_KEY: base64Key32.optional(),
    /** The former name of MATCHING_HASH_KEY, still accepted; set one of them (both: the same key). */
    LICENCE_HASH_KEY: base64Key32.optional(),
    /** Primary sources: this api's address as the sources reach it (notices go to <url>/primary-source/notices/<source id>); unset: no enrolment, deployed licences are looked up again on schedule instead. */
    PRIMARY_SOURCE_NOTICE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Primary sources: how often the worker looks up again the licences of deployed responders whose source sends no notices. */
    PRIMARY_SOURCE_RELOOKUP_MS: int(10000, 7 * 86400000).default(3600000),
    /** Live board: run the outbox relay in this process (several processes may run it; rows are claimed with SKIP LOCKED). */
    LIVE_RELAY_ENABLED: bool.default(true),
    /** Live board: the relay's fallback poll when no NOTIFY arrives (NOTIFY normally wakes it at once). */
    LIVE_RELAY_POLL_MS: int(50, 60000).default(1000),
    /** Live board: a resync asking for more missed events than this gets a fresh snapshot instead. */
    LIVE_RESYNC_MAX_EVENTS: int(1, 10000).default(500),
    /** Retention: a credential copy is purged this many days after its last use (0: kept); its hash and summary stay. */
    RETENTION_CREDENTIAL_COPY_DAYS: int(0, 36500).default(180),
    /** Retention: a scan's stored response (names, credential summary) is redacted to its decision after this many days (0: kept). */
    RETENTION_SCAN_RESPONSE_DAYS: int(0, 36500).default(30),
    /** Retention: how often the worker runs the purge. */
    RETENTION_PURGE_INTERVAL_MS: int(60000, 7 * 86400000).default(86400000),
    /** Prometheus metrics on their own port (GET /metrics), never the API's; unset: not served. */
    METRICS_PORT: int(0, 65535).optional(),
    /** The address the metrics port binds: loopback by default; another address needs METRICS_TOKEN in production. */
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** A bearer token the scraper must send (Authorization: Bearer ...), at least 24 characters. */
    METRICS_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
    /** OpenTelemetry traces go to this OTLP/HTTP collector (spans posted to <url>/v1/traces); unset: not traced. */
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  })
  .superRefine((env, ctx) => {
    const refuse = (variable: string, message: string): void => {
      ctx.addIssue({ code: 'custom', path: [variable], message });
    };
    for (const other of ['AUTH_SIGNING_KEY', 'CHECKPOINT_SIGNING_KEY'] as const) {
      const key = env[other];
      if (env.RECORDS_SIGNING_KEY && key && sameKey(env.RECORDS_SIGNING_KEY, key)) refuse('RECORDS_SIGNING_KEY', `must be another key than ${other}`);
    }
    if (env.AUTH_SIGNING_KEY && env.CHECKPOINT_SIGNING_KEY && sameKey(env.AUTH_SIGNING_KEY, env.CHECKPOINT_SIGNING_KEY)) {
      refuse('CHECKPOINT_SIGNING_KEY', 'must be another key than AUTH_SIGNING_KEY');
    }
    if (env.MATCHING_HASH_KEY && env.LICENCE_HASH_KEY && !sameBytes(env.MATCHING_HASH_KEY, env.LICENCE_HASH_KEY)) {
      refuse('LICENCE_HASH_KEY', 'must be the same key as MATCHING_HASH_KEY when both are set (or leave it unset)');
    }
    if (env.NODE_ENV !== 'production') return;
    if (env.BOOTSTRAP_ADMIN_PASSWORD === DOCUMENTED_BOOTSTRAP_PASSWORD) refuse('BOOTSTRAP_ADMIN_PASSWORD', 'must not be the documented default in production');
    if (!env.BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD) refuse('BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD', 'must be true in production');
    if (env.FETCH_ALLOW_PRIVATE_NETWORK) refuse('FETCH_ALLOW_PRIVATE_NETWORK', 'must be false in production');
    if (env.FETCH_INSECURE_HOSTS.length > 0) refuse('FETCH_INSECURE_HOSTS', 'must be empty in production (issuers are fetched over https only)');
    if (env.METRICS_PORT !== undefined && !env.METRICS_TOKEN && !isLoopback(env.METRICS_HOST))
      refuse('METRICS_TOKEN', 'must be set in production when METRICS_HOST is not a loopback address');
    if (env.RECORDS_ISSUER_DID && !env.RECORDS_SIGNING_KEY && !env.KEY_ENCRYPTION_KEY) {
      refuse('RECORDS_SIGNING_KEY', 'must be set in production when RECORDS_ISSUER_DID is (or KEY_ENCRYPTION_KEY, which keeps a generated key sealed)');
    }
    if (!env.MATCHING_HASH_KEY && !env.LICENCE_HASH_KEY) refuse('MATCHING_HASH_KEY', 'must be set in production (LICENCE_HASH_KEY is accepted in its place)');
    for (const variable of ['AUTH_SIGNING_KEY', 'CHECKPOINT_SIGNING_KEY'] as const) {
      if (!env[variable] && !env.KEY_ENCRYPTION_KEY)
        refuse(variable, 'must be set in production (or KEY_ENCRYPTION_KEY, which keeps generated keys sealed in the database)');
    }
  });

function sameBytes(a: string, b: string): boolean {
  return Buffer.from(a, 'base64').equals(Buffer.from(b, 'base64'));
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

function sameKey(a: string, b: string): boolean {
  return (parseJson(a) as { x?: unknown }).x === (parseJson(b) as { x?: unknown }).x;
}

export type Env = z.infer<typeof envSchema>;
export type LogFormat = Env['LOG_FORMAT'];
