import { Injectable } from '@nestjs/common';
import { AuditSearchRepository, AuditTrail, type AuditActor, type AuditEntryRecord } from '@app/audit';
import { DomainError, notFound } from '@app/common';
import { Database } from '@app/db';
import { DeploymentReader, IncidentsService } from '@app/incidents';
import { actorOnBoard } from '../par/par';
import { ActivityLogRepository, type ActivityPriority, type ActivitySubjectKind } from './activity-log.repository';

/** One line of the ICS 214: written by someone, or made from the audit trail. */
export interface ActivityItem {
  at: string;
  subjectKind: ActivitySubjectKind;
  subject: string | null;
  text: string;
  priority: ActivityPriority;
  /** A role (as on the board), or "system". */
  author: string;
  automatic: boolean;
}

export interface ActivityLog {
  incident: { id: string; name: string; number: string };
  period: { label: string; from: string | null; to: string | null };
  items: ActivityItem[];
}

export interface NewActivity {
  subjectKind: ActivitySubjectKind;
  subject?: string;
  deploymentId?: string;
  text: string;
  priority?: ActivityPriority;
  occurredAt?: string;
}

/** Audit actions that become automatic ICS 214 entries, and their priority. */
const AUTOMATIC: Record<string, ActivityPriority> = {
  'checkin.admitted': 'routine',
  'checkin.admitted_with_warnings': 'important',
  'deployment.status_changed': 'routine',
  'deployment.checked_out': 'routine',
  'credential.flagged': 'important',
  'credential.cleared': 'routine',
  'deployment.limit_approaching': 'important',
  'deployment.rest_overridden': 'important',
  'par.started': 'important',
  'par.missing': 'urgent',
  'par.completed': 'important',
  'par.overdue': 'urgent',
};

const AUTOMATIC_LIMIT = 20000;

/** The ICS 214 activity log: written entries plus automatic ones, per operational period. */
@Injectable()
export class ActivityLogService {
  constructor(
    private readonly database: Database,
    private readonly entries: ActivityLogRepository,
    private readonly auditEntries: AuditSearchRepository,
    private readonly incidents: IncidentsService,
    private readonly deployments: DeploymentReader,
    private readonly audit: AuditTrail,
  ) {}

  async write(incidentId: string, input: NewActivity, actor: AuditActor): Promise<ActivityItem> {
    return this.database.transaction(async (tx) => {
      await this.incidents.get(incidentId, tx);
      let subject = input.subject?.trim() || null;
      if (input.subjectKind === 'person') {
        if (!input.deploymentId) throw new DomainError('validation_failed', 'An entry about a person names their deployment (deploymentId).');
        subject = (await this.deployments.get(input.deploymentId, incidentId, tx)).responder.name;
      } else if (input.subjectKind !== 'incident' && !subject) {
        throw new DomainError('validation_failed', `An entry about a ${input.subjectKind} names it (subject).`);
      }
      const written = await this.entries.insert(tx, {
        incidentId,
        subjectKind: input.subjectKind,
        subject,
        deploymentId: input.deploymentId ?? null,
        text: input.text,
        priority: input.priority ?? 'routine',
        author: actor,
        occurredAt: input.occurredAt ? new Date(input.occurredAt) : new Date(),
      });
      await this.audit.record(tx, {
        actor,
        action: 'activity.logged',
        incidentId,
        target: { type: 'activity_log_entry', id: written.id },
        payload: { subjectKind: written.subjectKind, subject: written.subject, priority: written.priority, text: written.text },
      });
      return {
        at: written.occurredAt.toISOString(),
        subjectKind: written.subjectKind,
        subject: written.subject,
        text: written.text,
        priority: written.priority,
        author: actorOnBoard(actor),
        automatic: false,
      };
    });
  }

  /** The log of one operational period (or of the whole incident), oldest first. */
  async read(incidentId: string, periodId?: string): Promise<ActivityLog> {
    const incident = await this.incidents.getWithSetup(incidentId);
    const period = periodId ? incident.operationalPeriods.find((p) => p.id === periodId) : undefined;
    if (periodId && !period) throw notFound('Operational period', periodId);
    const from = period?.startsAt;
    const to = period?.endsAt;
    const names = new Map((await this.deployments.list(incidentId, { activeOnly: false })).map((d) => [d.responder.id, d.responder.name]));
    const written = await this.entries.between(incidentId, from, to);
    const audited = await this.auditEntries.search({ visibleTo: { kind: 'all' }, incidentId, from, to, limit: AUTOMATIC_LIMIT });
    const items: ActivityItem[] = [
      ...written.map((w) => ({
        at: w.occurredAt.toISOString(),
        subjectKind: w.subjectKind,
        subject: w.subject,
        text: w.text,
        priority: w.priority,
        author: actorOnBoard(w.author),
        automatic: false,
      })),
      ...audited.flatMap((e) => {
        const item = automaticItem(e, names);
        return item ? [item] : [];
      }),
    ];
    items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return {
      incident: { id: incident.id, name: incident.name, number: incident.number },
      period: { label: period?.label ?? 'Whole incident', from: from?.toISOString() ?? null, to: to?.toISOString() ?? null },
      items,
    };
  }
}

function automaticItem(e: AuditEntryRecord, names: Map<string, string>): ActivityItem | undefined {
  const priority = AUTOMATIC[e.action];
  if (!priority) return undefined;
  const p = e.payload;
  const who = typeof p.responderId === 'string' ? (names.get(p.responderId) ?? null) : null;
  const snap = (v: unknown): string => {
    const s = v as { status?: string; reason?: string; assignment?: string } | undefined;
    return s?.status ? `${s.status}${s.reason ? ` (${s.reason})` : ''}${s.assignment ? ` ${s.assignment}` : ''}` : '?';
  };
  const counts = (v: unknown): string => {
    const c = v as { expected?: number; accounted?: number; missing?: number; unaccounted?: number } | undefined;
    return c ? `${c.accounted}/${c.expected} accounted, ${c.missing} missing, ${c.unaccounted} unaccounted` : '';
  };
  const texts: Record<string, () => string> = {
    'checkin.admitted': () => 'Checked in',
    'checkin.admitted_with_warnings': () => 'Checked in with warnings',
    'deployment.status_changed': () => `Status ${snap(p.from)} → ${snap(p.to)}${typeof p.note === 'string' ? `: ${p.note}` : ''}`,
    'deployment.checked_out': () => `Checked out after ${String(p.hoursOnScene)} h`,
    'credential.flagged': () => `Credential flagged (${String(p.code ?? p.flag ?? '')})`,
    'credential.cleared': () => 'Credential flag cleared',
    'deployment.limit_approaching': () => `Work limit ${String(p.limit)} ${String(p.level)}: ${String(p.value)} of ${String(p.max)}`,
    'deployment.rest_overridden': () => `Assigned during mandatory rest: ${String(p.reason)}`,
    // Older entries carry the whole expected list, newer ones its count.
    'par.started': () =>
      `PAR started (${String(p.reason)}), ${Array.isArray(p.expected) ? p.expected.length : typeof p.expected === 'number' ? p.expected : 0} expected`,
    'par.missing': () => `PAR: ${Array.isArray(p.deploymentIds) ? p.deploymentIds.length : 0} marked missing; ${counts(p.counts)}`,
    'par.completed': () => `PAR completed: ${counts(p.counts)}`,
    'par.overdue': () => `PAR overdue: ${counts(p.counts)}`,
  };
  const scope = e.action.startsWith('par.') ? 'incident' : 'person';
  return {
    at: e.occurredAt,
    subjectKind: scope,
    subject: scope === 'person' ? who : null,
    text: texts[e.action](),
    priority,
    author: actorOnBoard(e.actor),
    automatic: true,
  };
}
