import { Injectable } from '@nestjs/common';
import { Database, type SqlScope, type Transaction } from '@app/db';

export interface AccountabilitySettings {
  incidentId: string;
  parResponseSeconds: number;
  /** Null: no PAR timer. */
  parTimerMinutes: number | null;
  parTimerDueAt: Date | null;
  maxDaysOnIncident: number | null;
  maxHoursPerPeriod: number | null;
  minRestHours: number | null;
  /** Check-out is a release process (ICS 221): these unit sign-offs and travel information first. */
  demobRequired: boolean;
  demobSignoffs: string[];
}

interface SettingsRow {
  incident_id: string;
  par_response_seconds: number;
  par_timer_minutes: number | null;
  par_timer_due_at: Date | null;
  max_days_on_incident: number | null;
  max_hours_per_period: string | null;
  min_rest_hours: string | null;
  demob_required: boolean;
  demob_signoffs: string[];
}

const num = (v: string | null): number | null => (v === null ? null : Number(v));
const toSettings = (r: SettingsRow): AccountabilitySettings => ({
  incidentId: r.incident_id,
  parResponseSeconds: r.par_response_seconds,
  parTimerMinutes: r.par_timer_minutes,
  parTimerDueAt: r.par_timer_due_at,
  maxDaysOnIncident: r.max_days_on_incident,
  maxHoursPerPeriod: num(r.max_hours_per_period),
  minRestHours: num(r.min_rest_hours),
  demobRequired: r.demob_required,
  demobSignoffs: r.demob_signoffs,
});

export const DEFAULT_PAR_RESPONSE_SECONDS = 300;

const COLUMNS =
  'incident_id, par_response_seconds, par_timer_minutes, par_timer_due_at, max_days_on_incident, max_hours_per_period, min_rest_hours, demob_required, demob_signoffs';

/** accountability_settings: per incident, the PAR response period and timer, and the work/rest limits. */
@Injectable()
export class AccountabilitySettingsRepository {
  constructor(private readonly db: Database) {}

  async get(incidentId: string, scope: SqlScope = this.db): Promise<AccountabilitySettings> {
    const row = await scope.queryOne<SettingsRow>(`SELECT ${COLUMNS} FROM accountability_settings WHERE incident_id = $1`, [incidentId]);
    return row
      ? toSettings(row)
      : {
          incidentId,
          parResponseSeconds: DEFAULT_PAR_RESPONSE_SECONDS,
          parTimerMinutes: null,
          parTimerDueAt: null,
          maxDaysOnIncident: null,
          maxHoursPerPeriod: null,
          minRestHours: null,
          demobRequired: false,
          demobSignoffs: [],
        };
  }

  /** Settings of the incidents that set at least one work or rest limit (of one incident, or of all). */
  async withLimits(incidentId: string | null): Promise<AccountabilitySettings[]> {
    const rows = await this.db.query<SettingsRow>(
      `SELECT ${COLUMNS} FROM accountability_settings
        WHERE (max_days_on_incident IS NOT NULL OR max_hours_per_period IS NOT NULL OR min_rest_hours IS NOT NULL)
          AND ($1::uuid IS NULL OR incident_id = $1)`,
      [incidentId],
    );
    return rows.map(toSettings);
  }

  async save(tx: Transaction, s: AccountabilitySettings): Promise<void> {
    await tx.execute(
      `INSERT INTO accountability_settings (incident_id, par_response_seconds, par_timer_minutes, par_timer_due_at, max_days_on_incident, max_hours_per_period, min_rest_hours, demob_required, demob_signoffs, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (incident_id) DO UPDATE SET par_response_seconds = $2, par_timer_minutes = $3, par_timer_due_at = $4, max_days_on_incident = $5,
         max_hours_per_period = $6, min_rest_hours = $7, demob_required = $8, demob_signoffs = $9, updated_at = now()`,
      [
        s.incidentId,
        s.parResponseSeconds,
        s.parTimerMinutes,
        s.parTimerDueAt,
        s.maxDaysOnIncident,
        s.maxHoursPerPeriod,
        s.minRestHours,
        s.demobRequired,
        s.demobSignoffs,
      ],
    );
  }

  /** Moves a running timer's next due time (a PAR was started, or the timer was snoozed). */
  async setTimerDue(tx: Transaction, incidentId: string, dueAt: Date): Promise<void> {
    await tx.execute(`UPDATE accountability_settings SET par_timer_due_at = $2 WHERE incident_id = $1 AND par_timer_minutes IS NOT NULL`, [incidentId, dueAt]);
  }

  /** Claims one incident whose PAR timer is due and moves it on by its interval: each reminder is raised once. */
  async claimDueTimer(tx: Transaction, now: Date): Promise<{ incidentId: string; dueAt: Date; nextDueAt: Date } | undefined> {
    const row = await tx.queryOne<{ incident_id: string; due_at: Date; next_due_at: Date }>(
      `WITH due AS (
         SELECT incident_id, par_timer_due_at FROM accountability_settings
         WHERE par_timer_due_at <= $1 AND par_timer_minutes IS NOT NULL ORDER BY par_timer_due_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       UPDATE accountability_settings s SET par_timer_due_at = $1 + make_interval(mins => s.par_timer_minutes)
       FROM due WHERE s.incident_id = due.incident_id
       RETURNING s.incident_id, due.par_timer_due_at AS due_at, s.par_timer_due_at AS next_due_at`,
      [now],
    );
    return row && { incidentId: row.incident_id, dueAt: row.due_at, nextDueAt: row.next_due_at };
  }
}
