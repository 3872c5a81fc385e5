import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { DomainError } from '@app/common';
import { AuditScope } from '../access/audit-scope';
import type { AuditEntryRecord } from '../audit.types';
import { AuditSearchRepository } from '../store/audit-search.repository';
import type { EntriesQueryDto } from './dto/audit-query.dto';

export interface AuditEntryPage {
  entries: AuditEntryRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

interface Cursor {
  at: string;
  id: string;
}

/** GET /audit/entries: newest first, keyset-paginated on (occurred_at, id), limited to what the principal may read. */
@Injectable()
export class AuditSearchService {
  constructor(
    private readonly entries: AuditSearchRepository,
    private readonly scope: AuditScope,
  ) {}

  async search(principal: Principal, q: EntriesQueryDto): Promise<AuditEntryPage> {
    if (q.incidentId) await this.scope.assertIncident(principal, q.incidentId);
    const limit = q.limit ?? 100;
    const found = await this.entries.search({
      visibleTo: await this.scope.visibility(principal),
      incidentId: q.incidentId,
      responderId: q.responderId,
      actorUserId: q.actorId,
      action: !q.action ? undefined : q.action.endsWith('.*') ? { prefix: q.action.slice(0, -1) } : { exact: q.action },
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      before: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit,
    });
    const entries = found.slice(0, limit);
    const last = entries[entries.length - 1];
    return { entries, nextCursor: found.length > limit && last ? encodeCursor({ at: last.occurredAt, id: last.id }) : null };
  }
}

const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeCursor(raw: string): Cursor {
  const invalid = new DomainError('validation_failed', 'cursor is not one this API returned.');
  let c: Partial<Cursor>;
  try {
    c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>;
  } catch {
    throw invalid;
  }
  if (typeof c.at !== 'string' || Number.isNaN(Date.parse(c.at)) || typeof c.id !== 'string' || !/^\d{1,19}$/.test(c.id)) throw invalid;
  return { at: c.at, id: c.id };
}
