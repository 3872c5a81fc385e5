import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { CombinedStatement, Database, type SqlScope, type StatementPart, type Transaction } from '@app/db';
import type { ParReason } from '@app/realtime';
import type { MarkVia, MemberState, MissingMember, Par, ParMember, ParState } from './par';

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

/** A par row read through row_to_json: its timestamps arrive as text. */
function fromJson(r: ParRow): ParRow {
  return {
    ...r,
    started_at: new Date(r.started_at),
    deadline_at: new Date(r.deadline_at),
    overdue_at: r.overdue_at && new Date(r.overdue_at),
    completed_at: r.completed_at && new Date(r.completed_at),
  };
}

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

/** A roll call as it starts: its scope (the expected list is who is on scene in it). */
export type NewPar = Pick<Par, 'incidentId' | 'scopeAssignment' | 'reason' | 'note' | 'startedBy' | 'startedAt' | 'deadlineAt'>;

/** What starting a PAR did: the PAR (undefined when one is already running in the scope) and the list it fixed. */
export interface StartedPar {
  par: Par | undefined;
  /** Everyone on scene in the scope when it started (none: nothing was written). */
  onScene: number;
  /** The expected list as written. */
  deploymentIds: string[];
}

/** par and par_member: roll calls and their expected lists. Counts live on the par row, changed under its lock. */
@Injectable()
export class ParRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts the PAR and its expected list copied from `onScene` (a part of `statement`, columns deployment_id,
   * responder_id, name, assignment) in one statement: nothing is written when nobody is on scene or a PAR is already
   * running in that scope (unique index).
   */
  async insert(tx: Transaction, statement: CombinedStatement, p: NewPar, onScene: StatementPart): Promise<StartedPar> {
    const inserted = statement.with(
      'new_par',
      `INSERT INTO par (incident_id, scope_assignment, reason, note, started_by, started_at, deadline_at, expected)
       SELECT ${statement.value(p.incidentId)}::uuid, ${statement.value(p.scopeAssignment)}::text, ${statement.value(p.reason)}::text,
              ${statement.value(p.note)}::text, ${statement.value(JSON.stringify(p.startedBy))}::jsonb, ${statement.value(p.startedAt)}::timestamptz,
              ${statement.value(p.deadlineAt)}::timestamptz, c.n
         FROM (SELECT count(*)::int AS n FROM ${onScene.name}) c WHERE c.n > 0
       ON CONFLICT (incident_id, coalesce(scope_assignment, '')) WHERE state = 'running' DO NOTHING
       RETURNING ${PAR_COLUMNS}`,
    );
    const members = statement.with(
      'new_par_member',
      `INSERT INTO par_member (par_id, deployment_id, responder_id, name, assignment)
       SELECT p.id, s.deployment_id, s.responder_id, s.name, s.assignment FROM ${inserted.name} p CROSS JOIN ${onScene.name} s
       RETURNING deployment_id`,
    );
    const [row] = await statement.run<{ on_scene: number; par: ParRow | null; deployment_ids: string | null }>(
      tx,
      `SELECT (SELECT count(*)::int FROM ${onScene.name}) AS on_scene,
              (SELECT row_to_json(p) FROM ${inserted.name} p) AS par,
              (SELECT string_agg(deployment_id::text, ',') FROM ${members.name}) AS deployment_ids`,
    );
    return {
      // row_to_json gives timestamps as text: read back as dates.
      par: row.par ? toPar(fromJson(row.par)) : undefined,
      onScene: row.on_scene,
      deploymentIds: row.deployment_ids ? row.deployment_ids.split(',') : [],
    };
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

  /**
   * Adds to a combined statement a group of acknowledgements: the members accounted, each with how and by whom, and
   * the counts after them; with `completed`, the PAR completes in the same update. The caller holds the PAR's lock
   * and checked every member (unaccounted or missing before).
   */
  recordAcknowledgements(
    statement: CombinedStatement,
    parId: string,
    marks: Array<{ deploymentId: string; via: MarkVia; by: AuditActor }>,
    at: Date,
    counts: { accounted: number; missing: number },
    completed?: { by: AuditActor; at: Date },
  ): void {
    const par = statement.value(parId);
    statement.with(
      'par_member_accounted',
      `UPDATE par_member m SET state = 'accounted', via = x.via, marked_by = x.marked_by, marked_at = ${statement.value(at)}
       FROM jsonb_to_recordset(${statement.value(JSON.stringify(marks.map((m) => ({ deployment_id: m.deploymentId, via: m.via, marked_by: m.by }))))}::jsonb)
            AS x(deployment_id uuid, via text, marked_by jsonb)
       WHERE m.par_id = ${par}::uuid AND m.deployment_id = x.deployment_id`,
    );
    const completion = completed
      ? `, state = 'completed', completed_at = ${statement.value(completed.at)}, completed_by = ${statement.value(JSON.stringify(completed.by))}::jsonb`
      : '';
    statement.with(
      'par_counts',
      `UPDATE par SET accounted = ${statement.value(counts.accounted)}::int, missing = ${statement.value(counts.missing)}::int${completion}
       WHERE id = ${par}::uuid`,
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

  /**
   * Who is still missing: people on scene (`onScene`, a part of `statement`) whose latest mark in any roll call of
   * the incident is missing. Being accounted for in a later roll call (or the same one) clears it; a new roll call
   * that has not reached them yet does not. Only roll calls whose count still holds someone missing are read for
   * candidates, and each candidate's later marks are looked up by key: boards read this after roll-call events.
   */
  async stillMissing(statement: CombinedStatement, incidentId: string, onScene: StatementPart): Promise<MissingMember[]> {
    const incident = statement.value(incidentId);
    const rows = await statement.run<MemberRow & { par_id: string }>(
      this.db,
      `SELECT m.par_id, m.deployment_id, m.responder_id, m.name, m.assignment, m.state, m.via, m.marked_by, m.marked_at
         FROM par p JOIN par_member m ON m.par_id = p.id JOIN ${onScene.name} s ON s.deployment_id = m.deployment_id
        WHERE p.incident_id = ${incident}::uuid AND p.missing > 0 AND m.state = 'missing'
          AND NOT EXISTS (
            SELECT 1 FROM par later JOIN par_member lm ON lm.par_id = later.id AND lm.deployment_id = m.deployment_id
             WHERE later.incident_id = ${incident}::uuid AND lm.state <> 'unaccounted' AND lm.marked_at > m.marked_at)
        ORDER BY m.marked_at, m.name`,
    );
    return rows.map((r) => ({ ...toMember(r), parId: r.par_id }));
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
