import { Injectable } from '@nestjs/common';
import { Database } from '@app/db';
import type { AuditEntryRecord } from '../audit.types';
import { entryColumns, queryEntries } from './audit-entries.repository';

/** Which entries a reader may see: all, none, or those of some incidents. */
export type AuditVisibility = { kind: 'all' } | { kind: 'none' } | { kind: 'incidents'; incidentIds: readonly string[] };

/** A search of the audit log: every field given narrows it; `before` continues after the last entry of a page. */
export interface AuditEntrySearch {
  visibleTo: AuditVisibility;
  incidentId?: string;
  /** Entries about this responder: named in the payload (responderId) or as the target. */
  responderId?: string;
  actorUserId?: string;
  action?: { exact: string } | { prefix: string };
  from?: Date;
  to?: Date;
  before?: { at: string; id: string };
  limit: number;
}

/** The audit log search (GET /audit/entries) over audit_entry. */
@Injectable()
export class AuditSearchRepository {
  constructor(private readonly database: Database) {}

  /** Newest first (occurred_at, then id): up to `limit + 1` entries, so the caller can tell whether a next page exists. */
  search(q: AuditEntrySearch): Promise<AuditEntryRecord[]> {
    const params: unknown[] = [];
    const value = (v: unknown): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where: string[] = [this.visibilityCondition(q.visibleTo, 'e.incident_id', value)];
    if (q.incidentId) where.push(`e.incident_id = ${value(q.incidentId)}`);
    if (q.responderId) {
      const p = value(q.responderId);
      where.push(`(e.payload->>'responderId' = ${p} OR (e.target_type = 'responder' AND e.target_id = ${p}))`);
    }
    if (q.actorUserId) where.push(`e.actor->>'userId' = ${value(q.actorUserId)}`);
    if (q.action && 'prefix' in q.action) where.push(`e.action LIKE ${value(`${q.action.prefix}%`)}`);
    else if (q.action) where.push(`e.action = ${value(q.action.exact)}`);
    if (q.from) where.push(`e.occurred_at >= ${value(q.from)}`);
    if (q.to) where.push(`e.occurred_at < ${value(q.to)}`);
    if (q.before) {
      const at = value(q.before.at);
      where.push(`(e.occurred_at, e.id) < (${at}::timestamptz, ${value(q.before.id)}::bigint)`);
    }
    return queryEntries(
      this.database,
      `SELECT ${entryColumns('e')} FROM audit_entry e
        WHERE ${where.join(' AND ')}
        ORDER BY e.occurred_at DESC, e.id DESC LIMIT ${q.limit + 1}`,
      params,
    );
  }

  /** Limits rows (by the SQL expression of their incident id) to `visibility`. */
  private visibilityCondition(visibility: AuditVisibility, incidentIdSql: string, value: (v: unknown) => string): string {
    if (visibility.kind === 'all') return 'TRUE';
    if (visibility.kind === 'none') return 'FALSE';
    return `${incidentIdSql} = ANY(${value(visibility.incidentIds)}::uuid[])`;
  }
}
