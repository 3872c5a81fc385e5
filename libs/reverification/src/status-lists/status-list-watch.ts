import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Clock, RedisConnection } from '@app/common';
import { AppConfig } from '@app/config';
import { CredentialVerifier, type DecodedStatusList } from '@app/credentials';
import { JobProducer } from '@app/jobs';
import { ActiveCredentialsReader } from '../runs/active-credentials.reader';
import { ReverificationRequests } from '../runs/reverification-requests';

const SYSTEM: AuditActor = { kind: 'system', process: 'worker', job: 'status-list.refresh' };

/**
 * Keeps the status lists in use fresh and reacts when one changes. Fetching, verifying, decoding and the Redis-shared
 * copy are the engine's StatusListService (conditional requests with the list's ETag); this decides when:
 *  - `refreshDue` (every STATUS_LIST_REFRESH_CHECK_MS): a refresh job for each list in use that is missing or whose
 *    freshness (list ttl / HTTP max-age) ends before the next check, so check-ins find it fresh;
 *  - `refresh` (one list): fetch it, and when its bits differ from what reverification last acted on, open a run
 *    that re-checks the deployments on that list at once instead of waiting for the next sweep.
 * Whoever fetched the new list (a check-in, another worker), the change is noticed: the comparison is with the bits
 * last acted on (kept in Redis), not with the previous fetch.
 */
@Injectable()
export class StatusListWatch {
  private readonly logger = new Logger(StatusListWatch.name);

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly verifier: CredentialVerifier,
    private readonly reader: ActiveCredentialsReader,
    private readonly producer: JobProducer,
    private readonly requests: ReverificationRequests,
    private readonly redis: RedisConnection,
    private readonly clock: Clock,
  ) {}

  async refreshDue(): Promise<{ lists: number; refreshing: number; changed: number }> {
    const now = this.clock.now().getTime();
    const horizon = now + this.config.reverification.statusListRefreshCheckMs;
    const urls = await this.reader.listsInUse();
    let refreshing = 0;
    let changed = 0;
    for (const url of urls) {
      const cached = await this.verifier.statusLists.peek(url);
      if (!cached || cached.expiresAt <= horizon) {
        await this.producer.enqueue('status-list.refresh', { listUrl: url });
        refreshing++;
      } else if (await this.actOnChange(url, cached)) {
        changed++;
      }
    }
    return { lists: urls.length, refreshing, changed };
  }

  async refresh(url: string): Promise<{ changed: boolean }> {
    const { list } = await this.verifier.statusLists.refresh(url);
    return { changed: await this.actOnChange(url, list) };
  }

  /** Opens a re-check of the list's deployments when its bits differ from those last acted on. */
  private async actOnChange(url: string, list: DecodedStatusList): Promise<boolean> {
    const digest = createHash('sha256').update(list.bits).digest('hex');
    const key = this.redis.key('reverify', 'list-bits');
    const field = createHash('sha256').update(url).digest('hex');
    const seen = await this.redis.client.hget(key, field);
    if (seen === digest) return false;
    // The first sight of a list sets the baseline; the periodic sweep covers everything until then.
    if (seen !== null) {
      const { run, created } = await this.requests.statusList(url, SYSTEM);
      if (created) this.logger.log(`status list ${url} changed: re-checking its deployments (run ${run.id})`);
    }
    await this.redis.client.hset(key, field, digest);
    return seen !== null;
  }
}
