import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCUMENTED_BOOTSTRAP_PASSWORD } from './config.schema';
import { parseConfig, ConfigError } from './load-config';
import { DEVELOPMENT_MATCHING_HASH_KEY } from './app-config';

const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');

describe('parseConfig', () => {
  it('gives working defaults for local PostgreSQL and Redis', () => {
    const c = parseConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.database.url).toContain('127.0.0.1:5432');
    expect(c.redis.url).toBe('redis://127.0.0.1:6379');
    expect(c.fetch.maxBytes).toBe(1048576);
  });

  it('names the variable and what it expects in one line', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    try {
      parseConfig({ DATABASE_URL: 'mysql://x' });
    } catch (e) {
      expect((e as Error).message).toMatch(/^Invalid configuration: DATABASE_URL .*postgres:\/\/ URL/);
      expect((e as Error).message).not.toContain('\n');
    }
    expect(() => parseConfig({ PORT: '70000' })).toThrow(/PORT/);
    expect(() => parseConfig({ FETCH_ALLOW_PRIVATE_NETWORK: 'maybe' })).toThrow(/FETCH_ALLOW_PRIVATE_NETWORK/);
  });

  it('reads the primary sources with their defaults, and refuses a malformed list or duplicate ids in one line', () => {
    const source = {
      id: 'nursys',
      kind: 'nursys',
      name: 'Nurse licensure database',
      baseUrl: 'https://lookup.example.org',
      states: ['FL'],
      professions: ['RN'],
    };
    expect(parseConfig({ PRIMARY_SOURCES: JSON.stringify([source]) }).primarySource.sources).toEqual([
      { ...source, freshnessSeconds: 900, rateLimitPerMinute: 120, timeoutMs: 5000, maxResponseBytes: 65536 },
    ]);
    expect(parseConfig({}).primarySource.sources).toEqual([]);
    expect(() => parseConfig({ PRIMARY_SOURCES: 'not json' })).toThrow(/^Invalid configuration: PRIMARY_SOURCES must be a JSON array of primary sources/);
    expect(() => parseConfig({ PRIMARY_SOURCES: JSON.stringify([{ ...source, kind: 'fax' }]) })).toThrow(/PRIMARY_SOURCES .*kind/);
    expect(() => parseConfig({ PRIMARY_SOURCES: JSON.stringify([source, source]) })).toThrow(/source ids must be distinct/);
    expect(() => parseConfig({ LICENCE_HASH_KEY: 'short' })).toThrow(/LICENCE_HASH_KEY must be base64 of 32 bytes/);
  });

  it('parses lists and booleans', () => {
    const c = parseConfig({ FETCH_INSECURE_HOSTS: 'localhost, 127.0.0.1', FETCH_ALLOW_PRIVATE_NETWORK: 'true' });
    expect(c.fetch.insecureHosts).toEqual(['localhost', '127.0.0.1']);
    expect(c.fetch.allowPrivateNetwork).toBe(true);
  });

  it('limits verification per user: 60 a minute unless set, a whole number from 1', () => {
    expect(parseConfig({}).auth.verifyRateLimitPerMinute).toBe(60);
    expect(parseConfig({ VERIFY_RATE_LIMIT_PER_MINUTE: '5' }).auth.verifyRateLimitPerMinute).toBe(5);
    for (const bad of ['0', '-1', 'many', '2.5']) {
      expect(() => parseConfig({ VERIFY_RATE_LIMIT_PER_MINUTE: bad })).toThrow(
        /^Invalid configuration: VERIFY_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 100000/,
      );
    }
  });
});

describe('parseConfig: keys and production', () => {
  const jwk = () => JSON.stringify(generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }));
  const kek = randomBytes(32).toString('base64');
  /** A production environment with nothing unsafe in it. */
  const production = (): Record<string, string> => ({
    NODE_ENV: 'production',
    AUTH_SIGNING_KEY: jwk(),
    CHECKPOINT_SIGNING_KEY: jwk(),
    BOOTSTRAP_ADMIN_EMAIL: 'admin@agency.example',
    BOOTSTRAP_ADMIN_PASSWORD: 'a-long-chosen-password',
    MATCHING_HASH_KEY: KEY_A,
  });

  it('accepts a production environment with keys, and one with a key-encryption key instead', () => {
    expect(parseConfig(production()).env).toBe('production');
    const { AUTH_SIGNING_KEY: _a, CHECKPOINT_SIGNING_KEY: _c, ...keyless } = production();
    expect(parseConfig({ ...keyless, KEY_ENCRYPTION_KEY: kek }).auth.keyEncryptionKey).toBe(kek);
  });

  it('reads the deployment-records issuer, and refuses a records key that is another key too', () => {
    const records = parseConfig({ ...production(), RECORDS_ISSUER_DID: 'did:web:checkin.ema.example.gov%3A8443', RECORDS_SIGNING_KEY: jwk() }).records;
    expect(records).toMatchObject({ issuerDid: 'did:web:checkin.ema.example.gov%3A8443', jurisdiction: 'US' });
    expect(() => parseConfig({ RECORDS_ISSUER_DID: 'did:web:example.gov:path' })).toThrow(/RECORDS_ISSUER_DID must be a did:web naming a host/);
    const shared = jwk();
    expect(() => parseConfig({ AUTH_SIGNING_KEY: shared, RECORDS_SIGNING_KEY: shared })).toThrow(
      /RECORDS_SIGNING_KEY must be another key than AUTH_SIGNING_KEY/,
    );
  });

  it('refuses each unsafe setting in production, naming it in one line', () => {
    const cases: Array<[Record<string, string | undefined>, RegExp]> = [
      [
        { BOOTSTRAP_ADMIN_PASSWORD: DOCUMENTED_BOOTSTRAP_PASSWORD },
        /^Invalid configuration: BOOTSTRAP_ADMIN_PASSWORD must not be the documented default in production$/,
      ],
      [{ BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false' }, /^Invalid configuration: BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD must be true in production$/],
      [{ FETCH_ALLOW_PRIVATE_NETWORK: 'true' }, /^Invalid configuration: FETCH_ALLOW_PRIVATE_NETWORK must be false in production$/],
      [{ FETCH_INSECURE_HOSTS: 'localhost' }, /^Invalid configuration: FETCH_INSECURE_HOSTS must be empty in production/],
      [{ AUTH_SIGNING_KEY: undefined }, /^Invalid configuration: AUTH_SIGNING_KEY must be set in production/],
      [{ CHECKPOINT_SIGNING_KEY: undefined }, /^Invalid configuration: CHECKPOINT_SIGNING_KEY must be set in production/],
      [{ MATCHING_HASH_KEY: undefined }, /^Invalid configuration: MATCHING_HASH_KEY must be set in production \(LICENCE_HASH_KEY is accepted in its place\)$/],
      [
        { METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' },
        /^Invalid configuration: METRICS_TOKEN must be set in production when METRICS_HOST is not a loopback address$/,
      ],
      [
        { RECORDS_ISSUER_DID: 'did:web:checkin.ema.example.gov' },
        /^Invalid configuration: RECORDS_SIGNING_KEY must be set in production when RECORDS_ISSUER_DID is/,
      ],
    ];
    for (const [change, message] of cases) {
      expect(() => parseConfig({ ...production(), ...change })).toThrow(message);
      // the same settings are allowed outside production (local development, tests)
      expect(() => parseConfig({ ...production(), ...change, NODE_ENV: 'development' })).not.toThrow();
    }
  });

  it('takes the matching key from MATCHING_HASH_KEY, else LICENCE_HASH_KEY, else (outside production) the development key', () => {
    expect(parseConfig({ MATCHING_HASH_KEY: KEY_A }).matching.hashKey).toEqual(Buffer.from(KEY_A, 'base64'));
    expect(parseConfig({ LICENCE_HASH_KEY: KEY_A }).matching.hashKey).toEqual(Buffer.from(KEY_A, 'base64'));
    expect(parseConfig({ MATCHING_HASH_KEY: KEY_A, LICENCE_HASH_KEY: KEY_A }).matching.hashKey).toEqual(Buffer.from(KEY_A, 'base64'));
    expect(parseConfig({}).matching.hashKey).toEqual(DEVELOPMENT_MATCHING_HASH_KEY);
    expect(() => parseConfig({ ...production(), MATCHING_HASH_KEY: undefined, LICENCE_HASH_KEY: KEY_A })).not.toThrow();
    expect(() => parseConfig({ MATCHING_HASH_KEY: KEY_A, LICENCE_HASH_KEY: KEY_B })).toThrow(
      /^Invalid configuration: LICENCE_HASH_KEY must be the same key as MATCHING_HASH_KEY when both are set/,
    );
    expect(() => parseConfig({ MATCHING_HASH_KEY: 'short' })).toThrow(/MATCHING_HASH_KEY must be base64 of 32 bytes/);
  });

  it('serves metrics beyond loopback in production only with a token', () => {
    const exposed = { ...production(), METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' };
    expect(parseConfig({ ...exposed, METRICS_TOKEN: 'a'.repeat(24) }).metrics).toEqual({ port: 9464, host: '0.0.0.0', token: 'a'.repeat(24) });
    expect(parseConfig({ ...production(), METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1', token: undefined });
    expect(() => parseConfig({ METRICS_TOKEN: 'short' })).toThrow(/^Invalid configuration: METRICS_TOKEN must be at least 24 characters$/);
  });

  it('caps the access token lifetime at an hour', () => {
    expect(parseConfig({ ACCESS_TOKEN_TTL_SECONDS: '3600' }).auth.accessTokenTtlSeconds).toBe(3600);
    expect(() => parseConfig({ ACCESS_TOKEN_TTL_SECONDS: '3601' })).toThrow(
      /^Invalid configuration: ACCESS_TOKEN_TTL_SECONDS must be a whole number from 60 to 3600$/,
    );
  });

  it('validates keys: private JWKs, two different keys, a 32-byte key-encryption key, a public trust list', () => {
    expect(() => parseConfig({ AUTH_SIGNING_KEY: '{"kty":"OKP","crv":"Ed25519","x":"abc"}' })).toThrow(/AUTH_SIGNING_KEY must be a private Ed25519 JWK/);
    const key = jwk();
    expect(() => parseConfig({ AUTH_SIGNING_KEY: key, CHECKPOINT_SIGNING_KEY: key })).toThrow(
      /CHECKPOINT_SIGNING_KEY must be another key than AUTH_SIGNING_KEY/,
    );
    expect(() => parseConfig({ KEY_ENCRYPTION_KEY: randomBytes(16).toString('base64') })).toThrow(/KEY_ENCRYPTION_KEY must be 32 bytes in base64/);
    const { d: _d, ...pub } = JSON.parse(jwk()) as Record<string, string>;
    expect(parseConfig({ AUDIT_TRUSTED_CHECKPOINT_KEYS: JSON.stringify({ keys: [{ ...pub, kid: 'k1' }] }) }).audit.trustedCheckpointKeys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: pub.x, kid: 'k1' },
    ]);
    expect(() => parseConfig({ AUDIT_TRUSTED_CHECKPOINT_KEYS: JSON.stringify({ keys: [{ ...pub }] }) })).toThrow(
      /AUDIT_TRUSTED_CHECKPOINT_KEYS must be a JWK Set/,
    );
    expect(() => parseConfig({ AUDIT_TRUSTED_CHECKPOINT_KEYS: JSON.stringify({ keys: [{ ...JSON.parse(key), kid: 'k' }] }) })).toThrow(/no private part/);
  });

  it('reads secrets from NAME_FILE, and refuses both forms or an unreadable file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'config-'));
    try {
      writeFileSync(join(dir, 'kek'), `${kek}\n`);
      expect(parseConfig({ KEY_ENCRYPTION_KEY_FILE: join(dir, 'kek') }).auth.keyEncryptionKey).toBe(kek);
      expect(() => parseConfig({ KEY_ENCRYPTION_KEY_FILE: join(dir, 'kek'), KEY_ENCRYPTION_KEY: kek })).toThrow(
        /set KEY_ENCRYPTION_KEY or KEY_ENCRYPTION_KEY_FILE, not both/,
      );
      expect(() => parseConfig({ AUTH_SIGNING_KEY_FILE: join(dir, 'missing') })).toThrow(
        /^Invalid configuration: AUTH_SIGNING_KEY_FILE cannot be read \(ENOENT\)$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs migrations with MIGRATION_DATABASE_URL when given, else with DATABASE_URL', () => {
    expect(parseConfig({ DATABASE_URL: 'postgres://app@db/x' }).database.migrationUrl).toBe('postgres://app@db/x');
    expect(parseConfig({ DATABASE_URL: 'postgres://app@db/x', MIGRATION_DATABASE_URL: 'postgres://owner@db/x' }).database.migrationUrl).toBe(
      'postgres://owner@db/x',
    );
  });
});
