import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { AppConfig } from '@app/config';
import { rateLimited, RateLimiter, RedisConnection } from '@app/common';

/** Longest wait a back-off imposes before the next try. */
const MAX_WAIT_MS = 15 * 60_000;
/** A run of failures from one address at one account is forgotten this long after its last failure. */
const FAILURE_RUN_TTL_SECONDS = 60 * 60;
/** The addresses that failed at an account are counted over this window (from its first failure). */
const ADDRESS_WINDOW_SECONDS = 15 * 60;
/** An address an account signed in from stays known (exempt from the account-wide back-off) this long. */
const KNOWN_ADDRESS_SECONDS = 30 * 24 * 60 * 60;

/** Milliseconds left on the address's own back-off, or on the account's when the address is not known to it. */
const WAIT_LEFT = `
local wait = redis.call('PTTL', KEYS[1])
if redis.call('EXISTS', KEYS[3]) == 0 then
  local account = redis.call('PTTL', KEYS[2])
  if account > wait then wait = account end
end
return wait`;

/**
 * One failure: the address's run at this account grows (past `free` failures it waits 1 s, 2 s, 4 s... before its
 * next try), and the address joins the account's failing addresses (past `free` addresses, addresses the account
 * does not know wait the same way).
 */
const RECORD_FAILURE = `
local free, maxWait = tonumber(ARGV[2]), tonumber(ARGV[3])
local function backOff(key, excess)
  if excess > 0 then redis.call('SET', key, '1', 'PX', math.floor(math.min(1000 * 2 ^ (excess - 1), maxWait))) end
end
local run = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[4])
backOff(KEYS[2], run - free)
redis.call('SADD', KEYS[3], ARGV[1])
if redis.call('TTL', KEYS[3]) < 0 then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
backOff(KEYS[4], redis.call('SCARD', KEYS[3]) - free)
return run`;

/** A success ends the address's run and makes the address known to the account. */
const RECORD_SUCCESS = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SET', KEYS[3], '1', 'EX', ARGV[1])
return 1`;

type ThrottleClient = Redis & {
  signInWaitLeft(pairWait: string, accountWait: string, known: string): Promise<number>;
  signInFailed(
    run: string,
    pairWait: string,
    failedFrom: string,
    accountWait: string,
    address: string,
    free: number,
    maxWait: number,
    runTtl: number,
    window: number,
  ): Promise<number>;
  signInSucceeded(run: string, pairWait: string, known: string, knownTtl: number): Promise<number>;
};

/**
 * Sign-in throttling that slows password guessing without letting anyone lock a chosen account out
 * (L = LOGIN_RATE_LIMIT_PER_MINUTE):
 *
 * - per address: 5 x L attempts a minute, whatever the accounts;
 * - per account and address: L attempts a minute; each failure in a row beyond the first L makes that address
 *   wait 1 s, 2 s, 4 s... (at most 15 minutes) before its next try at that account, until it signs in;
 * - per account: once failures at an account came from more than L addresses within 15 minutes (guessing spread
 *   over many addresses), addresses that have not signed in to it in the last 30 days wait the same way.
 *
 * An attacker's failures slow the attacker's address only; the account's owner, from another address, is not
 * held up. Spread over many addresses they slow new addresses too, never one the owner used before. Accounts and
 * addresses are kept in Redis as hashes, not in clear. Without Redis the fixed windows are counted per process
 * (RateLimiter) and the back-off is not applied.
 */
@Injectable()
export class SignInThrottle {
  private readonly client: ThrottleClient;

  constructor(
    private readonly limiter: RateLimiter,
    private readonly redis: RedisConnection,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    redis.client.defineCommand('signInWaitLeft', { numberOfKeys: 3, lua: WAIT_LEFT });
    redis.client.defineCommand('signInFailed', { numberOfKeys: 4, lua: RECORD_FAILURE });
    redis.client.defineCommand('signInSucceeded', { numberOfKeys: 3, lua: RECORD_SUCCESS });
    this.client = redis.client as ThrottleClient;
  }

  /** Before the password is checked: throws rate_limited (429 with Retry-After) while this attempt must wait. */
  async admit(email: string, ip: string): Promise<void> {
    const limit = this.config.auth.loginRateLimitPerMinute;
    const k = this.keys(email, ip);
    await this.limiter.consume('sign-in:address', k.address, limit * 5);
    await this.limiter.consume('sign-in:account-address', `${k.account}:${k.address}`, limit);
    const waitMs = await this.client.signInWaitLeft(k.pairWait, k.accountWait, k.known).catch(() => 0);
    if (waitMs > 0) throw rateLimited(waitMs / 1000);
  }

  async failed(email: string, ip: string): Promise<void> {
    const k = this.keys(email, ip);
    const free = this.config.auth.loginRateLimitPerMinute;
    await this.client
      .signInFailed(k.run, k.pairWait, k.failedFrom, k.accountWait, k.address, free, MAX_WAIT_MS, FAILURE_RUN_TTL_SECONDS, ADDRESS_WINDOW_SECONDS)
      .catch(() => undefined);
  }

  async succeeded(email: string, ip: string): Promise<void> {
    const k = this.keys(email, ip);
    await this.client.signInSucceeded(k.run, k.pairWait, k.known, KNOWN_ADDRESS_SECONDS).catch(() => undefined);
  }

  private keys(email: string, ip: string) {
    const account = digest(email.trim().toLowerCase());
    const address = digest(ip);
    // The account in braces: every key of a script lands in the same Redis Cluster slot.
    const key = (...parts: string[]) => this.redis.key('sign-in', `{${account}}`, ...parts);
    return {
      account,
      address,
      run: key('run', address),
      pairWait: key('wait', address),
      failedFrom: key('failed-from'),
      accountWait: key('wait'),
      known: key('known', address),
    };
  }
}

const digest = (value: string): string => createHash('sha256').update(value).digest('base64url').slice(0, 22);
