import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError } from '@app/common';
import { Database, type Transaction } from '@app/db';
import { AssignmentRules, IncidentsService, WorkPeriodsRepository, type WorkFacts } from '@app/incidents';
import { Outbox } from '@app/realtime';
import { SweepFollowUp } from '@app/reverification';
import { AccountabilitySettingsRepository } from '../settings/accountability-settings.repository';
import { announcementKey, WorkLimitWarningsRepository } from './work-limit-warnings.repository';
import { mandatoryRest, standings, type LimitStanding } from './work-limits';

export interface LimitRow extends LimitStanding {
  deploymentId: string;
  responderId: string;
  name: string;
}

/**
 * Work and rest limits: who approaches or breaches them (the board), the one-time `deployment.limit_approaching`
 * events raised at the end of each reverification run, and the override rule for Assigned during mandatory rest.
 */
@Injectable()
export class WorkLimitsService implements SweepFollowUp, AssignmentRules {
  constructor(
    private readonly database: Database,
    private readonly settings: AccountabilitySettingsRepository,
    private readonly periods: WorkPeriodsRepository,
    private readonly warnings: WorkLimitWarningsRepository,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  async board(incidentId: string, now = new Date()): Promise<LimitRow[]> {
    await this.incidents.get(incidentId);
    const s = await this.settings.get(incidentId);
    // Boards read this on every status change: an incident without limits has nobody to read.
    if (s.maxDaysOnIncident === null && s.maxHoursPerPeriod === null && s.minRestHours === null) return [];
    const facts = await this.periods.active([incidentId]);
    return facts.flatMap((f) => standings(f, s, now).map((st) => ({ deploymentId: f.deploymentId, responderId: f.responderId, name: f.name, ...st })));
  }

  /**
   * Announces, once per limit and level, who approaches or breaches a limit. Only incidents that set a limit are
   * read, one at a time, and only announcements not made before open a transaction: a sweep over a million
   * deployments with nothing new to say writes nothing.
   */
  async afterRun(incidentId: string | null, now: Date): Promise<number> {
    const actor: AuditActor = { kind: 'system', process: 'worker', job: 'reverify.run' };
    let raised = 0;
    for (const s of await this.settings.withLimits(incidentId)) {
      const due = (await this.periods.active([s.incidentId])).flatMap((f) => standings(f, s, now).map((st) => ({ f, st })));
      const announced = await this.warnings.announcedAmong([...new Set(due.map(({ f }) => f.deploymentId))]);
      for (const { f, st } of due) {
        if (announced.has(announcementKey(f.deploymentId, st.limit, st.level))) continue;
        const isNew = await this.database.transaction(async (tx) => {
          if (!(await this.warnings.record(tx, f.deploymentId, st.limit, st.level, now))) return false;
          await this.audit.record(tx, {
            actor,
            action: 'deployment.limit_approaching',
            incidentId: f.incidentId,
            target: { type: 'deployment', id: f.deploymentId },
            occurredAt: now,
            payload: { responderId: f.responderId, ...st },
          });
          await this.outbox.append(tx, f.incidentId, 'deployment.limit_approaching', {
            deploymentId: f.deploymentId,
            responderId: f.responderId,
            name: f.name,
            ...st,
            at: now.toISOString(),
          });
          return true;
        });
        if (isNew) raised++;
      }
    }
    return raised;
  }

  async beforeAssign(tx: Transaction, facts: WorkFacts, overrideReason: string | undefined, actor: AuditActor): Promise<void> {
    const s = await this.settings.get(facts.incidentId, tx);
    const rest = mandatoryRest(facts, s, new Date());
    if (!rest) return;
    if (!overrideReason) {
      throw new DomainError(
        'rest_override_required',
        `In mandatory rest: ${rest.restedHours} of ${rest.minRestHours} hours rested. A commander may assign them with an override reason.`,
      );
    }
    await this.audit.record(tx, {
      actor,
      action: 'deployment.rest_overridden',
      incidentId: facts.incidentId,
      target: { type: 'deployment', id: facts.deploymentId },
      payload: { responderId: facts.responderId, reason: overrideReason, ...rest },
    });
  }
}
