import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@app/auth';
import { DomainError } from '@app/common';
import { AuditScope } from '../access/audit-scope';
import type { AuditEntryRecord } from '../audit.types';
import { ENTRY_COLUMNS, toEntryRecord, type EntryRow } from '../store/audit-entry-store';
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
    @InjectDataSource() private readonly db: DataSource,
    private readonly scope: AuditScope,
  ) {}

  async search(principal: Principal, q: EntriesQueryDto): Promise<AuditEntryPage> {
    if (q.incidentId) await this.scope.assertIncident(principal, q.incidentId);
    const limit = q.limit ?? 100;
    const params: unknown[] = [];
    const where: string[] = [this.scope.incidentCondition(principal, 'e.incident_id', params)];
    const add = (sql: (p: string) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (q.incidentId) add((p) => `e.incident_id = ${p}`, q.incidentId);
    if (q.responderId) add((p) => `(e.payload->>'responderId' = ${p} OR (e.target_type = 'responder' AND e.target_id = ${p}))`, q.responderId);
    if (q.actorId) add((p) => `e.actor->>'userId' = ${p}`, q.actorId);
    if (q.action?.endsWith('.*')) add((p) => `e.action LIKE ${p}`, `${q.action.slice(0, -1)}%`);
    else if (q.action) add((p) => `e.action = ${p}`, q.action);
    if (q.from) add((p) => `e.occurred_at >= ${p}`, new Date(q.from));
    if (q.to) add((p) => `e.occurred_at < ${p}`, new Date(q.to));
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      params.push(c.at, c.id);
      where.push(`(e.occurred_at, e.id) < ($${params.length - 1}::timestamptz, $${params.length}::bigint)`);
    }
    const rows = (await this.db.query(
      `SELECT ${ENTRY_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} FROM audit_entry e
        WHERE ${where.join(' AND ')}
        ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${limit + 1}`,
      params,
    )) as EntryRow[];
    const entries = rows.slice(0, limit).map(toEntryRecord);
    const last = entries[entries.length - 1];
    return { entries, nextCursor: rows.length > limit && last ? encodeCursor({ at: last.occurredAt, id: last.id }) : null };
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
