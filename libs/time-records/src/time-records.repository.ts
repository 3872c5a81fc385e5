import { Injectable } from '@nestjs/common';
import { Database, type SqlScope, type Transaction } from '@app/db';
import type { AgencyRules, BreakRule, Certification, Employment, Rate } from './domain';

/** A stored correction: approved (in the ledger from `approvedAt`) or waiting for its approver. */
export interface StoredCorrection {
  id: string;
  incidentId: string;
  responderId: string;
  agency: string;
  date: string;
  onDuty: Array<{ start: string; end: string }>;
  reason: string;
  authorId: string;
  createdAt: Date;
  approverId: string | null;
  approvedAt: Date | null;
}

export interface StoredApproval {
  id: string;
  agency: string;
  date: string;
  approvedBy: string;
  approvedAt: Date;
}

export interface StoredPeriodApproval {
  id: string;
  agency: string;
  periodId: string;
  startsAt: Date;
  endsAt: Date;
  approvedBy: string;
  approvedAt: Date;
}

interface RuleRow {
  agency: string;
  daily_regular_minutes: number | null;
  weekly_regular_minutes: number | null;
  week_starts_on: number;
  breaks: BreakRule[];
  rates: Rate[];
  volunteer_cents_per_hour: number | null;
}

interface CorrectionRow {
  id: string;
  incident_id: string;
  responder_id: string;
  agency: string;
  work_date: string;
  on_duty: Array<{ start: string; end: string }>;
  reason: string;
  author_id: string;
  created_at: Date;
  approver_id: string | null;
  approved_at: Date | null;
}

interface ApprovalRow {
  id: string;
  agency: string;
  work_date: string;
  approved_by: string;
  approved_at: Date;
}

interface CertificationRow {
  statement: string;
  certified_by: string;
  certifier_name: string;
  certified_at: Date;
  claim_cents: number;
  donated_cents: number;
}

const CORRECTION_COLUMNS = `id, incident_id, responder_id, agency, to_char(work_date, 'YYYY-MM-DD') AS work_date, on_duty, reason, author_id, created_at, approver_id, approved_at`;

const toRules = (r: RuleRow): AgencyRules => ({
  agency: r.agency,
  dailyRegularMinutes: r.daily_regular_minutes,
  weeklyRegularMinutes: r.weekly_regular_minutes,
  weekStartsOn: r.week_starts_on,
  breaks: r.breaks,
  rates: r.rates,
  volunteerCentsPerHour: r.volunteer_cents_per_hour,
});

const toCorrection = (r: CorrectionRow): StoredCorrection => ({
  id: r.id,
  incidentId: r.incident_id,
  responderId: r.responder_id,
  agency: r.agency,
  date: r.work_date,
  onDuty: r.on_duty,
  reason: r.reason,
  authorId: r.author_id,
  createdAt: r.created_at,
  approverId: r.approver_id,
  approvedAt: r.approved_at,
});

/** Rules, employment, corrections and day approvals of an incident's time records. */
@Injectable()
export class TimeRecordsRepository {
  constructor(private readonly database: Database) {}

  async saveRules(tx: Transaction, incidentId: string, rules: AgencyRules, userId: string): Promise<void> {
    await tx.execute(
      `INSERT INTO time_agency_rule (incident_id, agency, daily_regular_minutes, weekly_regular_minutes, week_starts_on, breaks, rates, volunteer_cents_per_hour, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (incident_id, agency) DO UPDATE SET daily_regular_minutes = $3, weekly_regular_minutes = $4, week_starts_on = $5, breaks = $6, rates = $7,
         volunteer_cents_per_hour = $8, updated_by = $9, updated_at = now()`,
      [
        incidentId,
        rules.agency,
        rules.dailyRegularMinutes,
        rules.weeklyRegularMinutes,
        rules.weekStartsOn,
        JSON.stringify(rules.breaks),
        JSON.stringify(rules.rates),
        rules.volunteerCentsPerHour,
        userId,
      ],
    );
  }

  async rules(incidentId: string, scope: SqlScope = this.database): Promise<AgencyRules[]> {
    const rows = await scope.query<RuleRow>(
      `SELECT agency, daily_regular_minutes, weekly_regular_minutes, week_starts_on, breaks, rates, volunteer_cents_per_hour
         FROM time_agency_rule WHERE incident_id = $1 ORDER BY agency`,
      [incidentId],
    );
    return rows.map(toRules);
  }

  async saveEmployment(tx: Transaction, incidentId: string, responderId: string, employment: Employment, userId: string): Promise<void> {
    await tx.execute(
      `INSERT INTO time_employment (incident_id, responder_id, employment, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident_id, responder_id) DO UPDATE SET employment = $3, updated_by = $4, updated_at = now()`,
      [incidentId, responderId, employment, userId],
    );
  }

  async employment(incidentId: string, scope: SqlScope = this.database): Promise<Map<string, Employment>> {
    const rows = await scope.query<{ responder_id: string; employment: Employment }>(
      `SELECT responder_id, employment FROM time_employment WHERE incident_id = $1`,
      [incidentId],
    );
    return new Map(rows.map((r) => [r.responder_id, r.employment]));
  }

  async addCorrection(tx: Transaction, c: Omit<StoredCorrection, 'id' | 'createdAt' | 'approverId' | 'approvedAt'>): Promise<StoredCorrection> {
    const row = await tx.queryOne<CorrectionRow>(
      `INSERT INTO time_correction (incident_id, responder_id, agency, work_date, on_duty, reason, author_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
       RETURNING ${CORRECTION_COLUMNS}`,
      [c.incidentId, c.responderId, c.agency, c.date, JSON.stringify(c.onDuty), c.reason, c.authorId],
    );
    return toCorrection(row!);
  }

  /** Locks the correction row for the rest of the transaction. */
  async lockCorrection(tx: Transaction, incidentId: string, id: string): Promise<StoredCorrection | undefined> {
    const row = await tx.queryOne<CorrectionRow>(`SELECT ${CORRECTION_COLUMNS} FROM time_correction WHERE id = $1 AND incident_id = $2 FOR UPDATE`, [
      id,
      incidentId,
    ]);
    return row && toCorrection(row);
  }

  /** Sets the approver once; a correction already approved is left as it is (false). */
  async approveCorrection(tx: Transaction, id: string, approverId: string, at: Date): Promise<boolean> {
    return (
      (await tx.execute(`UPDATE time_correction SET approver_id = $2, approved_at = $3 WHERE id = $1 AND approver_id IS NULL`, [id, approverId, at])) === 1
    );
  }

  async corrections(incidentId: string, scope: SqlScope = this.database): Promise<StoredCorrection[]> {
    const rows = await scope.query<CorrectionRow>(`SELECT ${CORRECTION_COLUMNS} FROM time_correction WHERE incident_id = $1 ORDER BY created_at, id`, [
      incidentId,
    ]);
    return rows.map(toCorrection);
  }

  async addApproval(tx: Transaction, incidentId: string, agency: string, date: string, approvedBy: string, at: Date): Promise<string> {
    const row = await tx.queryOne<{ id: string }>(
      `INSERT INTO time_day_approval (incident_id, agency, work_date, approved_by, approved_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [incidentId, agency, date, approvedBy, at],
    );
    return row!.id;
  }

  async approvals(incidentId: string, scope: SqlScope = this.database): Promise<StoredApproval[]> {
    const rows = await scope.query<ApprovalRow>(
      `SELECT id, agency, to_char(work_date, 'YYYY-MM-DD') AS work_date, approved_by, approved_at FROM time_day_approval WHERE incident_id = $1 ORDER BY approved_at, id`,
      [incidentId],
    );
    return rows.map((r) => ({ id: r.id, agency: r.agency, date: r.work_date, approvedBy: r.approved_by, approvedAt: r.approved_at }));
  }

  async addPeriodApproval(tx: Transaction, incidentId: string, a: Omit<StoredPeriodApproval, 'id'>): Promise<string> {
    const row = await tx.queryOne<{ id: string }>(
      `INSERT INTO time_period_approval (incident_id, agency, period_id, starts_at, ends_at, approved_by, approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [incidentId, a.agency, a.periodId, a.startsAt, a.endsAt, a.approvedBy, a.approvedAt],
    );
    return row!.id;
  }

  async periodApprovals(incidentId: string, scope: SqlScope = this.database): Promise<StoredPeriodApproval[]> {
    const rows = await scope.query<{ id: string; agency: string; period_id: string; starts_at: Date; ends_at: Date; approved_by: string; approved_at: Date }>(
      `SELECT id, agency, period_id, starts_at, ends_at, approved_by, approved_at FROM time_period_approval WHERE incident_id = $1 ORDER BY approved_at, id`,
      [incidentId],
    );
    return rows.map((r) => ({
      id: r.id,
      agency: r.agency,
      periodId: r.period_id,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      approvedBy: r.approved_by,
      approvedAt: r.approved_at,
    }));
  }

  /** Serialises writers of one incident's time records (approval decisions depend on every correction before them). */
  async lockIncident(tx: Transaction, incidentId: string): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('time_records:' || $1, 0))`, [incidentId]);
  }

  async saveMissionReference(tx: Transaction, incidentId: string, agency: string, reference: string, userId: string): Promise<void> {
    await tx.execute(
      `INSERT INTO time_mission_reference (incident_id, agency, reference, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident_id, agency) DO UPDATE SET reference = $3, updated_by = $4, updated_at = now()`,
      [incidentId, agency, reference, userId],
    );
  }

  async missionReference(incidentId: string, agency: string, scope: SqlScope = this.database): Promise<string | null> {
    const row = await scope.queryOne<{ reference: string }>(`SELECT reference FROM time_mission_reference WHERE incident_id = $1 AND agency = $2`, [
      incidentId,
      agency,
    ]);
    return row?.reference ?? null;
  }

  async addCertification(tx: Transaction, incidentId: string, agency: string, c: Certification): Promise<void> {
    await tx.execute(
      `INSERT INTO time_certification (incident_id, agency, statement, certified_by, certifier_name, certified_at, claim_cents, donated_cents)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [incidentId, agency, c.statement, c.certifiedBy, c.certifierName, c.certifiedAt, c.claimCents, c.donatedCents],
    );
  }

  async certification(incidentId: string, agency: string, scope: SqlScope = this.database): Promise<Certification | null> {
    const row = await scope.queryOne<CertificationRow>(
      `SELECT statement, certified_by, certifier_name, certified_at, claim_cents::float8 AS claim_cents, donated_cents::float8 AS donated_cents
         FROM time_certification WHERE incident_id = $1 AND agency = $2`,
      [incidentId, agency],
    );
    return row
      ? {
          statement: row.statement,
          certifiedBy: row.certified_by,
          certifierName: row.certifier_name,
          certifiedAt: row.certified_at.toISOString(),
          claimCents: row.claim_cents,
          donatedCents: row.donated_cents,
        }
      : null;
  }

  /** The agencies whose package is certified (locked). */
  async certifiedAgencies(incidentId: string, scope: SqlScope = this.database): Promise<Set<string>> {
    const rows = await scope.query<{ agency: string }>(`SELECT agency FROM time_certification WHERE incident_id = $1`, [incidentId]);
    return new Set(rows.map((r) => r.agency));
  }
}
