import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Database, type SqlScope, type Transaction } from '@app/db';
import type { ParReason } from '@app/realtime';
import type { MarkVia, MemberState, Par, ParMember, ParState } from './par';

interface ParRow {
  id: string;
  incident_id: string;
  scope_assignment: string | null;
  reason: ParReason;
  note: string | null;
  started_by: AuditActor;
  started_at: Date;
  deadline_at: Date;
  state: ParState;
  expected: number;
  accounted: number;
  missing: number;
  overdue_at: Date | null;
  completed_at: Date | null;
  completed_by: AuditActor | null;
}

interface MemberRow {
  deployment_id: string;
  responder_id: string;
  name: string;
  assignment: string | null;
  state: MemberState;
  via: MarkVia | null;
  marked_by: AuditActor | null;
  marked_at: Date | null;
}

const PAR_COLUMNS = `id, incident_id, scope_assignment, reason, note, started_by, started_at, deadline_at, state, expected, accounted, missing,
  overdue_at, completed_at, completed_by`;

const toPar = (r: ParRow): Par => ({
  id: r.id,
  incidentId: r.incident_id,
  scopeAssignment: r.scope_assignment,
  reason: r.reason,
  note: r.note,
  startedBy: r.started_by,
  startedAt: r.started_at,
  deadlineAt: r.deadline_at,
  state: r.state,
  expected: r.expected,
  accounted: r.accounted,
  missing: r.missing,
  overdueAt: r.overdue_at,
  completedAt: r.completed_at,
  completedBy: r.completed_by,
});

const toMember = (r: MemberRow): ParMember => ({
  deploymentId: r.deployment_id,
  responderId: r.responder_id,
  name: r.name,
  assignment: r.assignment,
  state: r.state,
  via: r.via,
  markedBy: r.marked_by,
  markedAt: r.marked_at,
});

/** A roll call as it starts: its scope and its expected list (the counts start from the list). */
export type NewPar = Pick<Par, 'incidentId' | 'scopeAssignment' | 'reason' | 'note' | 'startedBy' | 'startedAt' | 'deadlineAt'> & {
  members: Array<Pick<ParMember, 'deploymentId' | 'responderId' | 'name' | 'assignment'>>;
};

/** par and par_member: roll calls and their expected lists. Counts live on the par row, changed under its lock. */
@Injectable()
export class ParRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the PAR and its expected list; undefined when a PAR is already running in that scope (unique index). */
  async insert(tx: Transaction, p: NewPar): Promise<Par | undefined> {
    const row = await tx.queryOne<ParRow>(
      `INSERT INTO par (incident_id, scope_assignment, reason, note, started_by, started_at, deadline_at, expected)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (incident_id, coalesce(scope_assignment, '')) WHERE state = 'running' DO NOTHING
       RETURNING ${PAR_COLUMNS}`,
      [p.incidentId, p.scopeAssignment, p.reason, p.note, JSON.stringify(p.startedBy), p.startedAt, p.deadlineAt, p.members.length],
    );
    if (!row) return undefined;
    if (p.members.length > 0) {
      await tx.execute(
        `INSERT INTO par_member (par_id, deployment_id, responder_id, name, assignment)
         SELECT $1, m.deployment_id, m.responder_id, m.name, m.assignment
         FROM jsonb_to_recordset($2::jsonb) AS m(deployment_id uuid, responder_id uuid, name text, assignment text)`,
        [
          row.id,
          JSON.stringify(p.members.map((m) => ({ deployment_id: m.deploymentId, responder_id: m.responderId, name: m.name, assignment: m.assignment }))),
        ],
      );
    }
    return toPar(row);
  }

  async get(parId: string, incidentId: string, scope: SqlScope = this.db): Promise<Par | undefined> {
    const row = await scope.queryOne<ParRow>(`SELECT ${PAR_COLUMNS} FROM par WHERE id = $1 AND incident_id = $2`, [parId, incidentId]);
    return row && toPar(row);
  }

  /** Locks the PAR row: marks and completion of one PAR are serialized, so counts never double. */
  async lock(tx: Transaction, parId: string, incidentId: string): Promise<Par | undefined> {
    const row = await tx.queryOne<ParRow>(`SELECT ${PAR_COLUMNS} FROM par WHERE id = $1 AND incident_id = $2 FOR UPDATE`, [parId, incidentId]);
    return row && toPar(row);
  }

  async list(incidentId: string, state?: ParState, limit = 50): Promise<Par[]> {
    const rows = await this.db.query<ParRow>(
      `SELECT ${PAR_COLUMNS} FROM par WHERE incident_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY started_at DESC LIMIT $3`,
      [incidentId, state ?? null, limit],
    );
    return rows.map(toPar);
  }

  async members(parId: string, scope: SqlScope = this.db): Promise<ParMember[]> {
    const rows = await scope.query<MemberRow>(
      `SELECT deployment_id, responder_id, name, assignment, state, via, marked_by, marked_at FROM par_member WHERE par_id = $1 ORDER BY name, deployment_id`,
      [parId],
    );
    return rows.map(toMember);
  }

  /** The members among these deployments, as they stand (in the PAR's lock when `scope` is the marking transaction). */
  async membersAmong(scope: SqlScope, parId: string, deploymentIds: string[]): Promise<ParMember[]> {
    const rows = await scope.query<MemberRow>(
      `SELECT deployment_id, responder_id, name, assignment, state, via, marked_by, marked_at FROM par_member
       WHERE par_id = $1 AND deployment_id = ANY($2::uuid[])`,
      [parId, deploymentIds],
    );
    return rows.map(toMember);
  }

  /** Marks members; only those in `from` states change. Returns the deployments that changed. */
  async mark(
    tx: Transaction,
    parId: string,
    deploymentIds: string[],
    to: Exclude<MemberState, 'unaccounted'>,
    from: MemberState[],
    via: MarkVia,
    by: AuditActor,
    at: Date,
  ): Promise<Array<{ deploymentId: string; from: MemberState }>> {
    const rows = await tx.query<{ deployment_id: string; previous: MemberState }>(
      `UPDATE par_member m SET state = $3, via = $4, marked_by = $5, marked_at = $6
       FROM par_member old
       WHERE m.par_id = $1 AND m.deployment_id = ANY($2::uuid[]) AND m.state = ANY($7::text[])
         AND old.par_id = m.par_id AND old.deployment_id = m.deployment_id
       RETURNING m.deployment_id, old.state AS previous`,
      [parId, deploymentIds, to, via, JSON.stringify(by), at, from],
    );
    return rows.map((r) => ({ deploymentId: r.deployment_id, from: r.previous }));
  }

  /** Marks members accounted, each with how and by whom (unaccounted or missing before: the caller checked, under the lock). */
  async markAccounted(tx: Transaction, parId: string, marks: Array<{ deploymentId: string; via: MarkVia; by: AuditActor }>, at: Date): Promise<void> {
    await tx.execute(
      `UPDATE par_member m SET state = 'accounted', via = x.via, marked_by = x.marked_by, marked_at = $3
       FROM jsonb_to_recordset($2::jsonb) AS x(deployment_id uuid, via text, marked_by jsonb)
       WHERE m.par_id = $1 AND m.deployment_id = x.deployment_id`,
      [parId, JSON.stringify(marks.map((m) => ({ deployment_id: m.deploymentId, via: m.via, marked_by: m.by }))), at],
    );
  }

  async setCounts(tx: Transaction, parId: string, accounted: number, missing: number): Promise<void> {
    await tx.execute(`UPDATE par SET accounted = $2, missing = $3 WHERE id = $1`, [parId, accounted, missing]);
  }

  async complete(tx: Transaction, parId: string, by: AuditActor, at: Date): Promise<void> {
    await tx.execute(`UPDATE par SET state = 'completed', completed_at = $2, completed_by = $3 WHERE id = $1`, [parId, at, JSON.stringify(by)]);
  }

  /**
   * Claims the running PARs whose time ran out and that were not yet raised (one at a time, skipping any another
   * worker holds): each is raised exactly once, whichever worker gets it.
   */
  async claimOverdue(tx: Transaction, now: Date): Promise<Par | undefined> {
    const row = await tx.queryOne<ParRow>(
      `UPDATE par SET overdue_at = $1
       WHERE id = (SELECT id FROM par WHERE state = 'running' AND overdue_at IS NULL AND deadline_at <= $1 ORDER BY deadline_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING ${PAR_COLUMNS}`,
      [now],
    );
    return row && toPar(row);
  }

  async unaccounted(tx: Transaction, parId: string, limit: number): Promise<ParMember[]> {
    const rows = await tx.query<MemberRow>(
      `SELECT deployment_id, responder_id, name, assignment, state, via, marked_by, marked_at FROM par_member
       WHERE par_id = $1 AND state = 'unaccounted' ORDER BY name LIMIT $2`,
      [parId, limit],
    );
    return rows.map(toMember);
  }

  /** The running PARs whose expected list holds this deployment. */
  async runningWith(deploymentId: string, incidentId: string): Promise<Par[]> {
    const rows = await this.db.query<ParRow>(
      `SELECT ${PAR_COLUMNS.split(',')
        .map((c) => `p.${c.trim()}`)
        .join(', ')} FROM par p JOIN par_member m ON m.par_id = p.id
       WHERE p.incident_id = $2 AND p.state = 'running' AND m.deployment_id = $1 ORDER BY p.started_at`,
      [deploymentId, incidentId],
    );
    return rows.map(toPar);
  }
}
