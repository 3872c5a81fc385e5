import { Injectable, Logger } from '@nestjs/common';
import { DomainError, RateLimiter, RedisConnection } from '@app/common';
import type { PrimarySourceEvidence } from '@app/credentials';
import { licenceNumberHash, normaliseLicenceNumber } from './licence-number-hash';
import type { ConfiguredSource } from './primary-sources';
import { PrimarySources } from './primary-sources';
import type { LicenceNumberQuery, LookupAnswer } from './sources/licence-source';

/** A lookup's answer with when it was obtained and whether it came from the cache. */
export interface Lookup {
  configured: ConfiguredSource;
  answer: LookupAnswer;
  request: PrimarySourceEvidence['request'];
  lookedUpAt: Date;
  freshUntil: Date;
  cached: boolean;
}

interface CachedAnswer {
  answer: LookupAnswer;
  lookedUpAt: string;
}

/**
 * Looks licences up at their source within its limits: answers (found or not found) are cached in Redis for the
 * source's stated freshness, so a busy station does not ask the board again for the same licence; lookups that do
 * go out are counted per source against its rate limit (shared by every api process); a lookup over the limit is
 * not made and is indeterminate, as a timeout or an error is. Indeterminate answers are never cached.
 */
@Injectable()
export class LicenceLookupService {
  private readonly logger = new Logger(LicenceLookupService.name);

  constructor(
    private readonly sources: PrimarySources,
    private readonly limiter: RateLimiter,
    private readonly redis: RedisConnection,
  ) {}

  async lookUp(configured: ConfiguredSource, query: LicenceNumberQuery, opts: { fresh?: boolean } = {}): Promise<Lookup> {
    const { source } = configured;
    const hash = licenceNumberHash(this.sources.hashKey, query.licenceNumber);
    const request = { state: query.state, profession: query.profession, licenceNumberHash: hash };
    const key = this.redis.key('primary-source', 'lookup', source.id, query.state, query.profession, hash);
    if (!opts.fresh && source.freshnessSeconds > 0) {
      const hit = await this.cached(key);
      if (hit) {
        const lookedUpAt = new Date(hit.lookedUpAt);
        return {
          configured,
          answer: hit.answer,
          request,
          lookedUpAt,
          freshUntil: new Date(lookedUpAt.getTime() + source.freshnessSeconds * 1000),
          cached: true,
        };
      }
    }
    let answer: LookupAnswer;
    try {
      await this.limiter.consume('primary-source', source.id, configured.rateLimitPerMinute);
      answer = await source.lookup({ ...query, licenceNumber: normaliseLicenceNumber(query.licenceNumber) });
    } catch (err) {
      const limited = err instanceof DomainError && err.code === 'rate_limited';
      if (!limited) throw err;
      answer = { kind: 'indeterminate', detail: 'rate limit of this source reached', responseHash: null };
    }
    const lookedUpAt = new Date();
    if (answer.kind === 'indeterminate') this.logger.warn(`lookup at ${source.id} indeterminate: ${answer.detail}`);
    else if (source.freshnessSeconds > 0) await this.store(key, { answer, lookedUpAt: lookedUpAt.toISOString() }, source.freshnessSeconds);
    return { configured, answer, request, lookedUpAt, freshUntil: new Date(lookedUpAt.getTime() + source.freshnessSeconds * 1000), cached: false };
  }

  private async cached(key: string): Promise<CachedAnswer | undefined> {
    try {
      const text = await this.redis.client.get(key);
      return text ? (JSON.parse(text) as CachedAnswer) : undefined;
    } catch {
      return undefined;
    }
  }

  private async store(key: string, value: CachedAnswer, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.client.set(key, JSON.stringify(value), 'EX', ttlSeconds);
    } catch {
      // Redis only saves lookups: without it every check-in asks the source.
    }
  }
}
