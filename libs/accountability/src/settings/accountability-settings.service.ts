import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError } from '@app/common';
import { Database } from '@app/db';
import { IncidentsService } from '@app/incidents';
import { Outbox } from '@app/realtime';
import { AccountabilitySettingsRepository, type AccountabilitySettings } from './accountability-settings.repository';

export interface SettingsChange {
  parResponseSeconds?: number;
  /** null turns the timer off. */
  parTimerMinutes?: number | null;
  maxDaysOnIncident?: number | null;
  maxHoursPerPeriod?: number | null;
  minRestHours?: number | null;
  demobRequired?: boolean;
  demobSignoffs?: string[];
}

/** Per-incident accountability settings, the PAR timer's snooze and the worker's timer reminders. */
@Injectable()
export class AccountabilitySettingsService {
  constructor(
    private readonly database: Database,
    private readonly settings: AccountabilitySettingsRepository,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  async get(incidentId: string): Promise<AccountabilitySettings> {
    await this.incidents.get(incidentId);
    return this.settings.get(incidentId);
  }

  async update(incidentId: string, change: SettingsChange, actor: AuditActor): Promise<AccountabilitySettings> {
    return this.database.transaction(async (tx) => {
      await this.incidents.get(incidentId, tx);
      const before = await this.settings.get(incidentId, tx);
      const next: AccountabilitySettings = { ...before };
      for (const key of [
        'parResponseSeconds',
        'parTimerMinutes',
        'maxDaysOnIncident',
        'maxHoursPerPeriod',
        'minRestHours',
        'demobRequired',
        'demobSignoffs',
      ] as const) {
        if (change[key] !== undefined) Object.assign(next, { [key]: change[key] });
      }
      if (next.parTimerMinutes !== before.parTimerMinutes) {
        next.parTimerDueAt = next.parTimerMinutes === null ? null : new Date(Date.now() + next.parTimerMinutes * 60_000);
      }
      await this.settings.save(tx, next);
      const { parTimerDueAt: _b, incidentId: _i, ...was } = before;
      const { parTimerDueAt: _n, incidentId: _j, ...now } = next;
      await this.audit.record(tx, { actor, action: 'accountability.settings_changed', incidentId, payload: { before: was, after: now } });
      return next;
    });
  }

  /** Puts the next PAR reminder off; only with a reason, which the audit trail keeps. */
  async snooze(incidentId: string, minutes: number, reason: string, actor: AuditActor): Promise<AccountabilitySettings> {
    return this.database.transaction(async (tx) => {
      await this.incidents.get(incidentId, tx);
      const s = await this.settings.get(incidentId, tx);
      if (s.parTimerMinutes === null) throw new DomainError('unprocessable', 'This incident has no PAR timer.');
      const dueAt = new Date(Date.now() + minutes * 60_000);
      await this.settings.setTimerDue(tx, incidentId, dueAt);
      await this.audit.record(tx, {
        actor,
        action: 'par.timer_snoozed',
        incidentId,
        payload: { minutes, reason, wasDueAt: s.parTimerDueAt?.toISOString() ?? null, dueAt: dueAt.toISOString() },
      });
      return { ...s, parTimerDueAt: dueAt };
    });
  }

  /** Worker: announces every PAR timer that ran out, once each, and arms the next one. */
  async raiseDueTimers(now = new Date()): Promise<number> {
    let raised = 0;
    for (;;) {
      const done = await this.database.transaction(async (tx) => {
        const due = await this.settings.claimDueTimer(tx, now);
        if (!due) return true;
        await this.audit.record(tx, {
          actor: { kind: 'system', process: 'worker', job: 'par.due' },
          action: 'par.due',
          incidentId: due.incidentId,
          occurredAt: now,
          payload: { dueAt: due.dueAt.toISOString(), nextDueAt: due.nextDueAt.toISOString() },
        });
        await this.outbox.append(tx, due.incidentId, 'par.due', {
          incidentId: due.incidentId,
          dueAt: due.dueAt.toISOString(),
          nextDueAt: due.nextDueAt.toISOString(),
        });
        return false;
      });
      if (done) return raised;
      raised++;
    }
  }
}
