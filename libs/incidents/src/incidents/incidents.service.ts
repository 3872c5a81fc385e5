import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError, notFound, SingleFlight } from '@app/common';
import { Database, type SqlScope, type Transaction } from '@app/db';
import { Outbox } from '@app/realtime';
import { DeploymentsRepository } from '../deployments/deployments.repository';
import type { Incident, IncidentChanges, IncidentWithSetup } from './incident';
import { IncidentsRepository, type IncidentVisibility } from './incidents.repository';
import type { CreateIncidentDto, IncidentView, LocationDto, OperationalPeriodDto, PositionDto, UpdateIncidentDto } from './dto/incident.dto';

/** An auditor scoped to `US` reads every US-xx incident; `US-FL` reads Florida only. */
export function jurisdictionCovers(scope: string, jurisdiction: string): boolean {
  return scope === jurisdiction || jurisdiction.startsWith(`${scope}-`);
}

export function toIncidentView(i: IncidentWithSetup): IncidentView {
  return {
    id: i.id,
    name: i.name,
    number: i.number,
    type: i.type,
    jurisdiction: i.jurisdiction,
    mutualAidJurisdictions: i.mutualAidJurisdictions,
    statusUnavailablePolicy: i.statusUnavailablePolicy,
    offlineStatusMaxAgeHours: i.offlineStatusMaxAgeHours,
    timeZone: i.timeZone,
    state: i.state,
    locations: i.locations.map((l) => ({ id: l.id, name: l.name, kind: l.kind })).sort((a, b) => a.name.localeCompare(b.name)),
    positions: i.positions
      .map((p) => ({
        id: p.id,
        name: p.name,
        requiredQualifications: p.requiredQualifications,
        requiredBasis: p.requiredBasis,
        requiredLevel: p.requiredLevel,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    operationalPeriods: i.operationalPeriods
      .map((p) => ({ id: p.id, label: p.label, startsAt: p.startsAt.toISOString(), endsAt: p.endsAt.toISOString() }))
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt)),
    createdAt: i.createdAt.toISOString(),
    closedAt: i.closedAt?.toISOString() ?? null,
  };
}

/** How long a process reuses an incident's setup on the check-in hot path; edits made here clear it at once. */
const SETUP_CACHE_MS = 1000;

@Injectable()
export class IncidentsService {
  private readonly setupCache = new Map<string, { until: number; incident: IncidentWithSetup }>();
  private readonly setupLoads = new SingleFlight<IncidentWithSetup>();

  constructor(
    private readonly database: Database,
    private readonly incidents: IncidentsRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  /** `scope`: a transaction to read in (the pool by default). */
  async get(id: string, scope?: SqlScope): Promise<Incident> {
    if (!isUUID(id)) throw notFound('Incident', id);
    const incident = await this.incidents.find(id, scope);
    if (!incident) throw notFound('Incident', id);
    return incident;
  }

  /** The incident with its locations, positions and operational periods. */
  async getWithSetup(id: string, scope?: SqlScope): Promise<IncidentWithSetup> {
    if (!isUUID(id)) throw notFound('Incident', id);
    const incident = await this.incidents.findWithSetup(id, scope);
    if (!incident) throw notFound('Incident', id);
    return incident;
  }

  /**
   * getWithSetup for the check-in hot path: a scan per second per station reads the same incident, so each process
   * keeps it for a second (an edit in another process, such as closing the incident, applies within that second).
   */
  async getSetupCached(id: string): Promise<IncidentWithSetup> {
    const hit = this.setupCache.get(id);
    if (hit && hit.until > Date.now()) return hit.incident;
    const incident = await this.setupLoads.run(id, () => this.getWithSetup(id));
    if (this.setupCache.size > 1000) this.setupCache.clear();
    this.setupCache.set(id, { until: Date.now() + SETUP_CACHE_MS, incident });
    return incident;
  }

  async view(id: string): Promise<IncidentView> {
    return toIncidentView(await this.getWithSetup(id));
  }

  /** The incidents this user may see: all for admins, their jurisdictions for auditors, their assignments otherwise. */
  async listFor(principal: Principal): Promise<IncidentView[]> {
    if (principal.role === 'auditor' && principal.jurisdictions.length === 0) return [];
    const visibility: IncidentVisibility =
      principal.role === 'admin'
        ? { kind: 'all' }
        : principal.role === 'auditor'
          ? { kind: 'jurisdictions', jurisdictions: principal.jurisdictions }
          : { kind: 'assigned', userId: principal.userId };
    return (await this.incidents.listWithSetup(visibility)).map(toIncidentView);
  }

  async create(dto: CreateIncidentDto, principal: Principal, actor: AuditActor): Promise<IncidentView> {
    await this.assertDatabaseKnowsZone(dto.timeZone);
    const id = await this.database.transaction(async (tx) => {
      const taken = await this.incidents.numberTaken(tx, dto.number);
      if (taken) throw new DomainError('conflict', `An incident numbered ${dto.number} already exists.`);
      const incidentId = await this.incidents.insert(tx, {
        name: dto.name,
        number: dto.number,
        type: dto.type,
        jurisdiction: dto.jurisdiction,
        mutualAidJurisdictions: dto.mutualAidJurisdictions ?? [],
        statusUnavailablePolicy: dto.statusUnavailablePolicy ?? 'admit_with_warning',
        offlineStatusMaxAgeHours: dto.offlineStatusMaxAgeHours ?? 24,
        timeZone: dto.timeZone ?? 'UTC',
        createdBy: principal.userId,
      });
      await this.addSetup(tx, incidentId, dto.locations, dto.positions, dto.operationalPeriods);
      await this.audit.record(tx, {
        actor,
        action: 'incident.created',
        incidentId,
        target: { type: 'incident', id: incidentId },
        payload: { ...dto },
      });
      return incidentId;
    });
    return this.view(id);
  }

  async update(id: string, dto: UpdateIncidentDto, actor: AuditActor): Promise<IncidentView> {
    await this.assertDatabaseKnowsZone(dto.timeZone);
    this.setupCache.delete(id);
    await this.database.transaction(async (tx) => {
      const incident = await this.get(id, tx);
      if (incident.state === 'closed') throw new DomainError('incident_closed', `Incident ${incident.name} is closed.`);
      const changed: string[] = [];
      const changes: IncidentChanges = {};
      for (const key of ['name', 'type', 'mutualAidJurisdictions', 'statusUnavailablePolicy', 'offlineStatusMaxAgeHours', 'timeZone'] as const) {
        if (dto[key] !== undefined) {
          Object.assign(incident, { [key]: dto[key] });
          Object.assign(changes, { [key]: dto[key] });
          changed.push(key);
        }
      }
      await this.incidents.update(tx, id, changes);
      await this.addSetup(tx, id, dto.addLocations, dto.addPositions, dto.addOperationalPeriods);
      if (dto.addLocations?.length) changed.push('locations');
      if (dto.addPositions?.length) changed.push('positions');
      if (dto.addOperationalPeriods?.length) changed.push('operationalPeriods');
      await this.audit.record(tx, { actor, action: 'incident.updated', incidentId: id, target: { type: 'incident', id }, payload: { changes: { ...dto } } });
      await this.outbox.append(tx, id, 'incident.updated', {
        incidentId: id,
        name: incident.name,
        state: incident.state,
        changed,
        at: new Date().toISOString(),
      });
    });
    this.setupCache.delete(id);
    return this.view(id);
  }

  async close(id: string, actor: AuditActor): Promise<IncidentView> {
    this.setupCache.delete(id);
    await this.database.transaction(async (tx) => {
      const incident = await this.get(id, tx);
      if (incident.state === 'closed') return;
      const active = await this.deployments.countActive(tx, id);
      if (active > 0) throw new DomainError('conflict', `${active} responders are still checked in; check them out before closing the incident.`);
      await this.incidents.close(tx, id, new Date());
      await this.audit.record(tx, { actor, action: 'incident.closed', incidentId: id, target: { type: 'incident', id }, payload: {} });
      await this.outbox.append(tx, id, 'incident.updated', {
        incidentId: id,
        name: incident.name,
        state: 'closed',
        changed: ['state'],
        at: new Date().toISOString(),
      });
    });
    this.setupCache.delete(id);
    return this.view(id);
  }

  /**
   * Reports split hours at midnight in the incident's zone in PostgreSQL: a zone the runtime knows (the DTO checks
   * that) but the database's tz data lacks would make every report fail, so it is refused up front.
   */
  private async assertDatabaseKnowsZone(timeZone: string | undefined): Promise<void> {
    if (timeZone === undefined) return;
    if (!(await this.incidents.databaseKnowsTimeZone(timeZone))) {
      const message = `timeZone ${timeZone} is not in the database's time zone list`;
      throw new DomainError('validation_failed', `${message}; use an IANA zone such as America/New_York or UTC.`, { errors: [{ field: 'timeZone', message }] });
    }
  }

  private async addSetup(
    tx: Transaction,
    incidentId: string,
    locations?: LocationDto[],
    positions?: PositionDto[],
    periods?: OperationalPeriodDto[],
  ): Promise<void> {
    try {
      if (locations?.length) await this.incidents.addLocations(tx, incidentId, locations);
      if (positions?.length) await this.incidents.addPositions(tx, incidentId, positions);
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new DomainError('conflict', 'A location or position with that name already exists at this incident.');
      throw err;
    }
    for (const p of periods ?? []) {
      if (new Date(p.endsAt) <= new Date(p.startsAt)) throw new DomainError('unprocessable', `Operational period ${p.label} must end after it starts.`);
    }
    if (periods?.length) {
      await this.incidents.addOperationalPeriods(
        tx,
        incidentId,
        periods.map((p) => ({ label: p.label, startsAt: new Date(p.startsAt), endsAt: new Date(p.endsAt) })),
      );
    }
  }
}
