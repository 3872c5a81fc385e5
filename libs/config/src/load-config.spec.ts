import { parseConfig, ConfigError } from './load-config';

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

  it('parses lists and booleans', () => {
    const c = parseConfig({ FETCH_INSECURE_HOSTS: 'localhost, 127.0.0.1', FETCH_ALLOW_PRIVATE_NETWORK: 'true' });
    expect(c.fetch.insecureHosts).toEqual(['localhost', '127.0.0.1']);
    expect(c.fetch.allowPrivateNetwork).toBe(true);
  });

  it('limits verification per user: 60 a minute unless set, a whole number from 1', () => {
    expect(parseConfig({}).auth.verifyRateLimitPerMinute).toBe(60);
    expect(parseConfig({ VERIFY_RATE_LIMIT_PER_MINUTE: '5' }).auth.verifyRateLimitPerMinute).toBe(5);
    for (const bad of ['0', '-1', 'many', '2.5']) {
      expect(() => parseConfig({ VERIFY_RATE_LIMIT_PER_MINUTE: bad })).toThrow(/^Invalid configuration: VERIFY_RATE_LIMIT_PER_MINUTE must be a whole number from 1 to 100000/);
    }
  });
});
