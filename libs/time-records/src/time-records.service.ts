import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError, notFound } from '@app/common';
import { Database, type SqlScope } from '@app/db';
import { TravelHome, WorkDescriptions } from '@app/accountability';
import { DeploymentReader, IncidentsService, type DeploymentTimelineRecord } from '@app/incidents';
import {
  CERTIFICATION_STATEMENT,
  checkCorrectionTimes,
  checkNoOverlap,
  deriveTimeEntries,
  labourSummary,
  addDays,
  localDate,
  localMidnightMs,
  TimeLedger,
  TimeRecordError,
  travelLegs,
  type AgencyRules,
  type DeploymentTimeline,
  type Employment,
  type IncidentCalendar,
  type LabourSummary,
  type ResponderProfile,
  type Certification,
  type CertifiedDeployment,
  type CredentialEvidence,
  type TimePackage,
  type PackageRow,
  addToPackage,
  collate,
  emptyTotals,
  timePackage,
} from './domain';
import { TimeRecordsRepository, type StoredApproval, type StoredCorrection, type StoredPeriodApproval } from './time-records.repository';
import type { AgencyRulesDto, CreateCorrectionDto } from './http/time-records.dto';

/** The agency of a deployment nobody recorded one for: it has no rules, so its hours are refused, not summed. */
export const NO_AGENCY = '(agency not recorded)';

/** Runs domain rules and answers their refusals as DomainErrors with the same code, the facts at fault as `errors`. */
function refusing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TimeRecordError) {
      throw new DomainError(err.code, err.message, { errors: Object.entries(err.details).map(([field, value]) => ({ field, message: String(value) })) });
    }
    throw err;
  }
}

/** Responders per batch of a package: their rows, timelines and evidence are all a batch holds (docs/time-and-reimbursement.md). */
export const PACKAGE_BATCH_RESPONDERS = 200;

/** What receives a package as it is built (TimeRecordsService.buildPackage). */
export interface PackageBuild {
  /** The package's header (incident, agency, mission, certification), before the first batch. */
  begin?(head: Omit<TimePackage, 'rows'>): void;
  /** Each batch's rows, in the package's order. */
  rows(batch: PackageRow[]): void | Promise<void>;
  /** Responders per batch (PACKAGE_BATCH_RESPONDERS). */
  batchSize?: number;
}

interface SummaryInputs {
  calendar: IncidentCalendar;
  asOf: Date;
  employment: ReadonlyMap<string, Employment>;
  rules: ReadonlyMap<string, AgencyRules>;
  ledger: TimeLedger;
}

const toInterval = (i: { start: string; end: string }) => ({ start: Date.parse(i.start), end: Date.parse(i.end) });

/** The time unit's use cases: rules and rates, employment, corrections, approvals and the labour summary. */
@Injectable()
export class TimeRecordsService {
  constructor(
    private readonly database: Database,
    private readonly repository: TimeRecordsRepository,
    private readonly incidents: IncidentsService,
    private readonly deployments: DeploymentReader,
    private readonly audit: AuditTrail,
    private readonly workDescriptions: WorkDescriptions,
    private readonly travelHome: TravelHome,
  ) {}

  async setRules(incidentId: string, dto: AgencyRulesDto, principal: Principal, actor: AuditActor): Promise<AgencyRulesDto> {
    const rules: AgencyRules = { ...dto, breaks: dto.breaks.map((b) => ({ ...b })), rates: dto.rates.map((r) => ({ ...r })) };
    await this.database.transaction(async (tx) => {
      await this.incidents.get(incidentId, tx);
      await this.assertNotCertified(tx, incidentId, rules.agency);
      await this.repository.saveRules(tx, incidentId, rules, principal.userId);
      await this.audit.record(tx, { actor, action: 'time.rules_set', incidentId, target: { type: 'agency', id: rules.agency }, payload: { ...rules } });
    });
    return dto;
  }

  async setEmployment(
    incidentId: string,
    responderId: string,
    employment: Employment,
    principal: Principal,
    actor: AuditActor,
  ): Promise<{ responderId: string; employment: Employment }> {
    await this.database.transaction(async (tx) => {
      const agencies = await this.assertDeployed(incidentId, responderId, tx);
      for (const agency of agencies) await this.assertNotCertified(tx, incidentId, agency);
      await this.repository.saveEmployment(tx, incidentId, responderId, employment, principal.userId);
      await this.audit.record(tx, {
        actor,
        action: 'time.employment_set',
        incidentId,
        target: { type: 'responder', id: responderId },
        payload: { employment },
      });
    });
    return { responderId, employment };
  }

  /** Records a correction, waiting for a second person's approval before it counts. */
  async addCorrection(incidentId: string, dto: CreateCorrectionDto, principal: Principal, actor: AuditActor): Promise<StoredCorrection> {
    return this.database.transaction(async (tx) => {
      const calendar = await this.calendar(incidentId, tx);
      await this.assertDeployed(incidentId, dto.responderId, tx);
      await this.assertNotCertified(tx, incidentId, dto.agency);
      refusing(() => checkCorrectionTimes(calendar, { id: 'new', responderId: dto.responderId, date: dto.date, onDuty: dto.onDuty.map(toInterval) }));
      await this.assertNotOverTravel(tx, incidentId, calendar, dto);
      const onDuty = dto.onDuty.map((i) => ({ start: new Date(i.start).toISOString(), end: new Date(i.end).toISOString() }));
      const stored = await this.repository.addCorrection(tx, {
        incidentId,
        responderId: dto.responderId,
        agency: dto.agency,
        date: dto.date,
        onDuty,
        reason: dto.reason,
        authorId: principal.userId,
      });
      await this.audit.record(tx, {
        actor,
        action: 'time.correction_recorded',
        incidentId,
        target: { type: 'time_correction', id: stored.id },
        payload: { responderId: dto.responderId, agency: dto.agency, date: dto.date, onDuty, reason: dto.reason },
      });
      return stored;
    });
  }

  /** A second person approves a correction; on an approved day it then waits for the day's re-approval. */
  async approveCorrection(incidentId: string, correctionId: string, principal: Principal, actor: AuditActor): Promise<StoredCorrection> {
    return this.database.transaction(async (tx) => {
      await this.repository.lockIncident(tx, incidentId);
      const c = await this.repository.lockCorrection(tx, incidentId, correctionId);
      if (!c) throw notFound('Correction', correctionId);
      if (c.approverId) throw new DomainError('conflict', 'This correction is already approved.');
      await this.assertNotCertified(tx, incidentId, c.agency);
      if (c.authorId === principal.userId)
        throw new DomainError('time_correction_self_approved', 'A correction must be approved by someone other than its author.');
      const now = new Date();
      await this.repository.approveCorrection(tx, c.id, principal.userId, now);
      const calendar = await this.calendar(incidentId, tx);
      const ledger = this.ledger(
        calendar,
        [...(await this.repository.corrections(incidentId, tx))],
        await this.repository.approvals(incidentId, tx),
        await this.repository.periodApprovals(incidentId, tx),
      );
      let dayStatus = ledger.status(c.agency, c.date);
      if (ledger.hasPeriodApprovals(c.agency)) {
        // Approved periods approve responder days: the status of this responder's day.
        const timelines = (await this.deployments.timelines(incidentId, tx, [c.responderId])).filter((t) => (t.agency ?? NO_AGENCY) === c.agency);
        const etasHome = await this.etasHomeOf(timelines, tx);
        const entry = refusing(() =>
          ledger.effective(deriveTimeEntries(calendar, this.timelinesOf(calendar, timelines, etasHome), now), new Set([c.responderId])),
        ).find((e) => e.entry.agency === c.agency && e.entry.date === c.date);
        if (entry) dayStatus = ledger.entryStatus(entry).status;
      }
      await this.audit.record(tx, {
        actor,
        action: 'time.correction_approved',
        incidentId,
        target: { type: 'time_correction', id: c.id },
        payload: { responderId: c.responderId, agency: c.agency, date: c.date, authorId: c.authorId, dayStatus },
      });
      return { ...c, approverId: principal.userId, approvedAt: now };
    });
  }

  /** Approves (or re-approves) an agency's day: it locks the day's figures. */
  async approveDay(incidentId: string, agency: string, date: string, principal: Principal, actor: AuditActor): Promise<StoredApproval> {
    return this.database.transaction(async (tx) => {
      await this.repository.lockIncident(tx, incidentId);
      await this.assertNotCertified(tx, incidentId, agency);
      const calendar = await this.calendar(incidentId, tx);
      const ledger = this.ledger(
        calendar,
        await this.repository.corrections(incidentId, tx),
        await this.repository.approvals(incidentId, tx),
        await this.repository.periodApprovals(incidentId, tx),
      );
      const before = ledger.status(agency, date);
      const approvedAt = new Date();
      refusing(() => ledger.approve({ id: 'new', agency, date, approvedBy: principal.userId, at: approvedAt }));
      const id = await this.repository.addApproval(tx, incidentId, agency, date, principal.userId, approvedAt);
      // The deployment facts the check-in entries do not carry (agency, position) for the deployments with time on
      // the day, so the audit export alone recomputes approved days before the package is certified.
      const deployments = await this.deploymentsWithTime(tx, incidentId, calendar, agency, {
        start: localMidnightMs(date, calendar.timeZone),
        end: localMidnightMs(addDays(date, 1), calendar.timeZone),
        at: approvedAt,
      });
      await this.audit.record(tx, {
        actor,
        action: before === 'reapproval_required' ? 'time.day_reapproved' : 'time.day_approved',
        incidentId,
        target: { type: 'time_day', id: `${agency}|${date}` },
        payload: { agency, date, deployments },
      });
      return { id, agency, date, approvedBy: principal.userId, approvedAt };
    });
  }

  /**
   * Approves (or re-approves) an agency's operational period: every responder day of the agency whose time in effect
   * lies within its approved periods is approved, and locked like an approved day.
   */
  async approvePeriod(incidentId: string, agency: string, periodId: string, principal: Principal, actor: AuditActor): Promise<StoredPeriodApproval> {
    return this.database.transaction(async (tx) => {
      await this.repository.lockIncident(tx, incidentId);
      const incident = await this.incidents.getWithSetup(incidentId, tx);
      const period = incident.operationalPeriods.find((p) => p.id === periodId);
      if (!period) {
        throw new DomainError('time_period_unknown', `The incident has no operational period ${periodId}.`, {
          errors: [{ field: 'periodId', message: periodId }],
        });
      }
      await this.assertNotCertified(tx, incidentId, agency);
      const inputs = await this.summaryInputs(tx, incidentId);
      const timelines = (await this.deployments.timelines(incidentId, tx)).filter((t) => (t.agency ?? NO_AGENCY) === agency);
      const bounds = { id: period.id, start: period.startsAt.getTime(), end: period.endsAt.getTime() };
      const etasHome = await this.etasHomeOf(timelines, tx);
      const effective = refusing(() =>
        inputs.ledger.effective(deriveTimeEntries(inputs.calendar, this.timelinesOf(inputs.calendar, timelines, etasHome), inputs.asOf)),
      );
      const previous = inputs.ledger.periodApprovalOf(agency, periodId);
      if (previous && !inputs.ledger.periodChanged(agency, bounds, effective)) {
        throw new DomainError('time_period_already_approved', `${agency}'s period ${period.label} is approved and unchanged since.`, {
          errors: [{ field: 'periodId', message: periodId }],
        });
      }
      const approvedAt = inputs.asOf;
      const approval: Omit<StoredPeriodApproval, 'id'> = {
        agency,
        periodId,
        startsAt: period.startsAt,
        endsAt: period.endsAt,
        approvedBy: principal.userId,
        approvedAt,
      };
      const id = await this.repository.addPeriodApproval(tx, incidentId, approval);
      // Time is kept per local day (and a correction replaces a day's time), so the facts cover the local days the
      // period touches.
      const zone = inputs.calendar.timeZone;
      const deployments = await this.deploymentsWithTime(tx, incidentId, inputs.calendar, agency, {
        start: localMidnightMs(localDate(period.startsAt, zone), zone),
        end: localMidnightMs(addDays(localDate(new Date(bounds.end - 1), zone), 1), zone),
        at: approvedAt,
      });
      await this.audit.record(tx, {
        actor,
        action: previous ? 'time.period_reapproved' : 'time.period_approved',
        incidentId,
        target: { type: 'time_period', id: `${agency}|${periodId}` },
        payload: {
          agency,
          periodId,
          label: period.label,
          startsAt: period.startsAt.toISOString(),
          endsAt: period.endsAt.toISOString(),
          deployments,
        },
      });
      return { id, ...approval };
    });
  }

  /**
   * The deployment facts the check-in entries do not carry (agency, position) for the agency's deployments with time
   * in [start, end), so the audit export alone recomputes approved time before the package is certified.
   */
  private async deploymentsWithTime(
    tx: SqlScope,
    incidentId: string,
    calendar: IncidentCalendar,
    agency: string,
    span: { start: number; end: number; at: Date },
  ): Promise<CertifiedDeployment[]> {
    const timelines = await this.deployments.timelines(incidentId, tx);
    const etasHome = await this.etasHomeOf(timelines, tx);
    return timelines
      .filter((t) => {
        if ((t.agency ?? NO_AGENCY) !== agency) return false;
        // Travel to and from the incident counts too.
        const { travelTo, travelHome } = travelLegs({ ...t, etaHome: etasHome.get(t.deploymentId) ?? null }, calendar.timeZone);
        const from = Math.min(t.checkedInAt.getTime(), travelTo?.start.getTime() ?? Infinity);
        const to = Math.max((t.checkedOutAt ?? span.at).getTime(), Math.min(travelHome?.end.getTime() ?? -Infinity, span.at.getTime()));
        return from < span.end && to > span.start;
      })
      .map((t) => ({ deploymentId: t.deploymentId, responderId: t.responderId, position: t.position }));
  }

  /** The mission or order number the agency is reimbursed under (EMAC mission, FEMA mission assignment, order). */
  async setMissionReference(incidentId: string, agency: string, reference: string, principal: Principal, actor: AuditActor): Promise<void> {
    await this.database.transaction(async (tx) => {
      await this.incidents.get(incidentId, tx);
      await this.assertNotCertified(tx, incidentId, agency);
      await this.repository.saveMissionReference(tx, incidentId, agency, reference, principal.userId);
      await this.audit.record(tx, {
        actor,
        action: 'time.mission_reference_set',
        incidentId,
        target: { type: 'agency', id: agency },
        payload: { agency, reference },
      });
    });
  }

  /**
   * Certifies an agency's package: every day approved and none waiting for re-approval. The certification keeps the
   * totals it was given and locks the agency's time records.
   */
  async certify(incidentId: string, agency: string, principal: Principal, actor: AuditActor): Promise<Certification> {
    return this.database.transaction(async (tx) => {
      await this.repository.lockIncident(tx, incidentId);
      await this.assertNotCertified(tx, incidentId, agency);
      const certifiedAt = new Date();
      const summary = await this.summaryIn(tx, incidentId, { agency, settled: true, asOf: certifiedAt });
      const open = [...new Set(summary.rows.filter((r) => r.status !== 'approved').map((r) => r.date))];
      if (summary.rows.length === 0 || open.length > 0) {
        throw new DomainError(
          'time_day_not_approved',
          summary.rows.length === 0 ? `${agency} has no time at this incident.` : `Days not approved: ${open.join(', ')}`,
          {
            errors: open.map((date) => ({ field: 'date', message: date })),
          },
        );
      }
      const totals = summary.totals.find((t) => t.agency === agency)!;
      const certifiedDeployments: CertifiedDeployment[] = (await this.deployments.timelines(incidentId, tx))
        .filter((t) => (t.agency ?? NO_AGENCY) === agency)
        .map((t) => ({ deploymentId: t.deploymentId, responderId: t.responderId, position: t.position }));
      const certification: Certification = {
        statement: CERTIFICATION_STATEMENT,
        certifiedBy: principal.userId,
        certifierName: principal.displayName,
        certifiedAt: certifiedAt.toISOString(),
        claimCents: totals.claimCents,
        donatedCents: totals.donatedCents,
      };
      await this.repository.addCertification(tx, incidentId, agency, certification);
      await this.audit.record(tx, {
        actor,
        action: 'time.package_certified',
        incidentId,
        target: { type: 'agency', id: agency },
        occurredAt: certifiedAt,
        // The deployment facts the check-in entries do not carry (agency, position), so the audit export alone
        // recomputes these totals (`responder-checkin time-package`).
        payload: { agency, statement: certification.statement, totals: { ...totals }, responderDays: summary.rows.length, deployments: certifiedDeployments },
      });
      return certification;
    });
  }

  /** One agency's package: the labour summary with work descriptions, credential evidence, mission and certification. */
  async package(incidentId: string, agency: string): Promise<TimePackage> {
    const rows: PackageRow[] = [];
    const head = await this.buildPackage(incidentId, agency, { rows: (batch) => void rows.push(...batch) });
    return { ...head, rows };
  }

  /**
   * One agency's package built a batch of responders at a time, in the package's order (name, then id), from one
   * consistent snapshot: each batch's rows go to `build.rows` as they are made, so memory stays bounded whatever the
   * size of the incident; returns the rest (header, totals, volunteers). A refusal (a missing rate, overlapping
   * entries) can come in any batch, so a caller writing rows out must be able to discard them (see package-file.ts).
   */
  async buildPackage(incidentId: string, agency: string, build: PackageBuild): Promise<Omit<TimePackage, 'rows'>> {
    const batchSize = build.batchSize ?? PACKAGE_BATCH_RESPONDERS;
    return this.database.transaction(
      async (tx) => {
        const incident = await this.incidents.get(incidentId, tx);
        const inputs = await this.summaryInputs(tx, incidentId);
        const head: Omit<TimePackage, 'rows'> = {
          incident: { id: incident.id, name: incident.name, number: incident.number },
          agency,
          missionReference: await this.repository.missionReference(incidentId, agency, tx),
          certification: await this.repository.certification(incidentId, agency, tx),
          totals: emptyTotals(agency),
          volunteers: [],
        };
        build.begin?.(head);
        const responders = await this.deployments.respondersOfAgency(incidentId, agency === NO_AGENCY ? null : agency, tx);
        responders.sort((a, b) => collate(a.name, b.name) || collate(a.responderId, b.responderId));
        for (let from = 0; from < responders.length; from += batchSize) {
          const ids = responders.slice(from, from + batchSize).map((r) => r.responderId);
          const timelines = await this.deployments.timelines(incidentId, tx, ids);
          const summary = this.summarise(inputs, timelines, await this.etasHomeOf(timelines, tx), { agency, settled: false, responders: new Set(ids) });
          const part = timePackage(summary, {
            ...head,
            evidence: await this.evidence(incidentId, timelines, ids, tx),
            workDescriptions: await this.workDescriptionsOf(incidentId, incident.timeZone, timelines, tx),
          });
          addToPackage(head, part);
          await build.rows(part.rows);
        }
        return head;
      },
      { readOnly: true, isolation: 'REPEATABLE READ' },
    );
  }

  /** The credential behind each responder's time at an agency: their latest deployment's, as check-in verified it. */
  private async evidence(
    incidentId: string,
    timelines: readonly DeploymentTimelineRecord[],
    responderIds: readonly string[],
    tx: SqlScope,
  ): Promise<Map<string, CredentialEvidence>> {
    const byDeployment = new Map(timelines.map((t) => [t.deploymentId, { responderId: t.responderId, agency: t.agency ?? NO_AGENCY }]));
    const evidence = new Map<string, CredentialEvidence>();
    const views = await this.deployments.list(incidentId, { activeOnly: false, responderIds }, tx);
    views.sort((a, b) => a.checkedInAt.localeCompare(b.checkedInAt));
    for (const d of views) {
      const at = byDeployment.get(d.id);
      if (!at) continue;
      evidence.set(`${at.responderId}|${at.agency}`, {
        qualification: d.credential.qualification,
        issuer: d.credential.issuerName,
        verifiedAt: d.checkedInAt,
        legalBasis: d.practiceAuthority?.basis?.text ?? null,
      });
    }
    return evidence;
  }

  /** What the ICS 214 entries about these deployments say each person did, by `responderId|agency|date`. */
  private async workDescriptionsOf(
    incidentId: string,
    timeZone: string,
    timelines: readonly DeploymentTimelineRecord[],
    tx: SqlScope,
  ): Promise<Map<string, string[]>> {
    const byDeployment = new Map(timelines.map((t) => [t.deploymentId, { responderId: t.responderId, agency: t.agency ?? NO_AGENCY }]));
    const descriptions = new Map<string, string[]>();
    for (const note of await this.workDescriptions.forIncident(incidentId, tx, [...byDeployment.keys()])) {
      const at = byDeployment.get(note.deploymentId);
      if (!at) continue;
      const key = `${at.responderId}|${at.agency}|${localDate(note.occurredAt, timeZone)}`;
      descriptions.set(key, [...(descriptions.get(key) ?? []), note.text]);
    }
    return descriptions;
  }

  corrections(incidentId: string): Promise<StoredCorrection[]> {
    return this.repository.corrections(incidentId);
  }

  /** The labour summary from one consistent snapshot of deployments, rules, corrections and approvals. */
  summary(incidentId: string, options: { agency?: string; settled: boolean }): Promise<LabourSummary> {
    return this.database.transaction((tx) => this.summaryIn(tx, incidentId, options), { readOnly: true, isolation: 'REPEATABLE READ' });
  }

  private async summaryIn(tx: SqlScope, incidentId: string, options: { agency?: string; settled: boolean; asOf?: Date }): Promise<LabourSummary> {
    const timelines = await this.deployments.timelines(incidentId, tx);
    return this.summarise(await this.summaryInputs(tx, incidentId, options.asOf), timelines, await this.etasHomeOf(timelines, tx), options);
  }

  /** What every responder's summary reads besides their own deployments: calendar, employment, rules, the ledger. */
  private async summaryInputs(tx: SqlScope, incidentId: string, asOf = new Date()): Promise<SummaryInputs> {
    const calendar = await this.calendar(incidentId, tx);
    return {
      calendar,
      asOf,
      employment: await this.repository.employment(incidentId, tx),
      rules: new Map((await this.repository.rules(incidentId, tx)).map((r) => [r.agency, r])),
      ledger: this.ledger(
        calendar,
        await this.repository.corrections(incidentId, tx),
        await this.repository.approvals(incidentId, tx),
        await this.repository.periodApprovals(incidentId, tx),
      ),
    };
  }

  /** The labour summary of these deployments (of `responders` only, when given: one batch of a package). */
  private summarise(
    inputs: SummaryInputs,
    timelines: readonly DeploymentTimelineRecord[],
    etasHome: ReadonlyMap<string, Date>,
    options: { agency?: string; settled: boolean; responders?: ReadonlySet<string> },
  ): LabourSummary {
    const profiles = new Map<string, ResponderProfile>();
    for (const t of timelines) {
      profiles.set(t.responderId, {
        responderId: t.responderId,
        name: t.responderName,
        position: t.position,
        employment: inputs.employment.get(t.responderId) ?? 'employee',
      });
    }
    const deployments = this.timelinesOf(inputs.calendar, timelines, etasHome);
    return refusing(() =>
      labourSummary(deriveTimeEntries(inputs.calendar, deployments, inputs.asOf), inputs.ledger, inputs.rules, profiles, {
        agency: options.agency,
        settledOnly: options.settled,
        responders: options.responders,
      }),
    );
  }

  /** The ICS 221 ETA home of these deployments (the end of their travel home). */
  private etasHomeOf(timelines: readonly DeploymentTimelineRecord[], tx: SqlScope): Promise<Map<string, Date>> {
    return this.travelHome.etas(
      timelines.map((t) => t.deploymentId),
      tx,
    );
  }

  private timelinesOf(calendar: IncidentCalendar, timelines: readonly DeploymentTimelineRecord[], etasHome: ReadonlyMap<string, Date>): DeploymentTimeline[] {
    return timelines.map((t) => ({
      deploymentId: t.deploymentId,
      responderId: t.responderId,
      agency: t.agency ?? NO_AGENCY,
      checkedInAt: t.checkedInAt,
      checkedOutAt: t.checkedOutAt,
      statusChanges: t.statusChanges,
      ...travelLegs({ ...t, etaHome: etasHome.get(t.deploymentId) ?? null }, calendar.timeZone),
    }));
  }

  private async calendar(incidentId: string, scope: SqlScope): Promise<IncidentCalendar> {
    const incident = await this.incidents.get(incidentId, scope);
    return {
      timeZone: incident.timeZone,
      startDate: localDate(incident.createdAt, incident.timeZone),
      endDate: incident.closedAt ? localDate(incident.closedAt, incident.timeZone) : null,
    };
  }

  /** The agencies the responder worked for at the incident; not found when they were never deployed there. */
  private async assertDeployed(incidentId: string, responderId: string, scope: SqlScope): Promise<Set<string>> {
    await this.incidents.get(incidentId, scope);
    const timelines = await this.deployments.timelines(incidentId, scope, [responderId]);
    if (timelines.length === 0) throw notFound('Responder at this incident', responderId);
    return new Set(timelines.map((t) => t.agency ?? NO_AGENCY));
  }

  /** Refuses on-duty time that overlaps the responder's recorded travel at that agency (the summary would refuse it). */
  private async assertNotOverTravel(tx: SqlScope, incidentId: string, calendar: IncidentCalendar, dto: CreateCorrectionDto): Promise<void> {
    const timelines = (await this.deployments.timelines(incidentId, tx, [dto.responderId])).filter((t) => (t.agency ?? NO_AGENCY) === dto.agency);
    const etasHome = await this.etasHomeOf(timelines, tx);
    const travel = timelines.flatMap((t) => {
      const legs = travelLegs({ ...t, etaHome: etasHome.get(t.deploymentId) ?? null }, calendar.timeZone);
      return [legs.travelTo, legs.travelHome].flatMap((l) => (l ? [{ start: l.start.getTime(), end: l.end.getTime() }] : []));
    });
    refusing(() => checkNoOverlap([...dto.onDuty.map(toInterval), ...travel], dto.responderId));
  }

  /** A certified package is locked: nothing that changes its figures is accepted afterwards. */
  private async assertNotCertified(tx: SqlScope, incidentId: string, agency: string): Promise<void> {
    const certified = await this.repository.certification(incidentId, agency, tx);
    if (certified) {
      throw new DomainError('time_package_certified', `The package of ${agency} was certified at ${certified.certifiedAt}; its time records are locked.`);
    }
  }

  /** Replays approved corrections, day and period approvals in time order, as they happened. */
  private ledger(
    calendar: IncidentCalendar,
    corrections: readonly StoredCorrection[],
    approvals: readonly StoredApproval[],
    periodApprovals: readonly StoredPeriodApproval[],
  ): TimeLedger {
    const ledger = new TimeLedger(calendar);
    const events: Array<{ at: number; apply: () => void }> = [];
    for (const c of corrections) {
      if (!c.approverId || !c.approvedAt) continue;
      const correction = {
        id: c.id,
        responderId: c.responderId,
        agency: c.agency,
        date: c.date,
        onDuty: c.onDuty.map(toInterval),
        reason: c.reason,
        author: c.authorId,
        approver: c.approverId,
        at: c.approvedAt,
      };
      events.push({ at: c.approvedAt.getTime(), apply: () => ledger.correct(correction) });
    }
    for (const a of approvals)
      events.push({
        at: a.approvedAt.getTime(),
        apply: () => ledger.approve({ id: a.id, agency: a.agency, date: a.date, approvedBy: a.approvedBy, at: a.approvedAt }),
      });
    for (const p of periodApprovals) {
      const approval = {
        id: p.id,
        agency: p.agency,
        periodId: p.periodId,
        start: p.startsAt.getTime(),
        end: p.endsAt.getTime(),
        approvedBy: p.approvedBy,
        at: p.approvedAt,
      };
      events.push({ at: p.approvedAt.getTime(), apply: () => ledger.approvePeriod(approval) });
    }
    events.sort((x, y) => x.at - y.at);
    refusing(() => events.forEach((e) => e.apply()));
    return ledger;
  }
}
