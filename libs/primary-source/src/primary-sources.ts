import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { boundedHttp } from './sources/bounded-http';
import type { LicenceSource } from './sources/licence-source';
import { NursysSource } from './sources/nursys.source';
import { stateBoardMapping, StateBoardSource } from './sources/state-board.source';

export interface ConfiguredSource {
  source: LicenceSource;
  states: string[];
  professions: string[];
  rateLimitPerMinute: number;
}

/** The configured licensing authorities (PRIMARY_SOURCES), each behind its adapter, and the matching key licence numbers are hashed under. */
@Injectable()
export class PrimarySources {
  readonly all: ConfiguredSource[];
  readonly hashKey: Buffer;
  /** Where sources send notices for this deployment; undefined: nothing is enrolled. */
  readonly noticeUrl?: string;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.noticeUrl = config.primarySource.noticeUrl?.replace(/\/+$/, '');
    this.hashKey = config.matching.hashKey;
    this.all = config.primarySource.sources.map((s) => {
      const http = boundedHttp(s.baseUrl, s.timeoutMs, s.maxResponseBytes);
      const source: LicenceSource =
        s.kind === 'nursys'
          ? new NursysSource(http, { id: s.id, name: s.name, freshnessSeconds: s.freshnessSeconds, noticeSecret: s.noticeSecret, timeoutMs: s.timeoutMs })
          : new StateBoardSource(http, s.id, s.name, s.freshnessSeconds, stateBoardMapping(s.mapping));
      return { source, states: s.states, professions: s.professions, rateLimitPerMinute: s.rateLimitPerMinute };
    });
  }

  /** The source that answers for this state's licences of this profession (the first configured). */
  for(state: string, profession: string): ConfiguredSource | undefined {
    return this.all.find((s) => s.states.includes(state) && s.professions.includes(profession));
  }

  /** Whether this source tells us of changes (it pushes notices and we gave it an address): otherwise it is looked up again on schedule. */
  notifies(configured: ConfiguredSource): boolean {
    return configured.source.pushesNotices && this.noticeUrl !== undefined;
  }

  byId(id: string): ConfiguredSource | undefined {
    return this.all.find((s) => s.source.id === id);
  }
}
