import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditTrail, type AuditActor } from '@app/audit';
import { AccessChanges, type Principal } from '@app/auth';
import { DomainError, notFound, SingleFlight } from '@app/common';
import { Outbox } from '@app/realtime';
import { CheckInLocationEntity } from './check-in-location.entity';
import { IncidentStaffEntity } from './incident-staff.entity';
import { IncidentEntity } from './incident.entity';
import { OperationalPeriodEntity } from './operational-period.entity';
import { PositionEntity } from './position.entity';
import type { CreateIncidentDto, IncidentView, LocationDto, OperationalPeriodDto, PositionDto, UpdateIncidentDto } from './dto/incident.dto';

/** An auditor scoped to `US` reads every US-xx incident; `US-FL` reads Florida only. */
export function jurisdictionCovers(scope: string, jurisdiction: string): boolean {
  return scope === jurisdiction || jurisdiction.startsWith(`${scope}-`);
}

export function toIncidentView(i: IncidentEntity): IncidentView {
  return {
    id: i.id,
    name: i.name,
    number: i.number,
    type: i.type,
    jurisdiction: i.jurisdiction,
    mutualAidJurisdictions: i.mutualAidJurisdictions,
    statusUnavailablePolicy: i.statusUnavailablePolicy,
    timeZone: i.timeZone,
    state: i.state,
    locations: (i.locations ?? []).map((l) => ({ id: l.id, name: l.name, kind: l.kind })).sort((a, b) => a.name.localeCompare(b.name)),
    positions: (i.positions ?? []).map((p) => ({ id: p.id, name: p.name, requiredQualifications: p.requiredQualifications })).sort((a, b) => a.name.localeCompare(b.name)),
    operationalPeriods: (i.operationalPeriods ?? [])
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
  private readonly setupCache = new Map<string, { until: number; incident: IncidentEntity }>();
  private readonly setupLoads = new SingleFlight<IncidentEntity>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
    private readonly accessChanges: AccessChanges,
  ) {}

  async get(id: string, tx?: EntityManager): Promise<IncidentEntity> {
    if (!isUUID(id)) throw notFound('Incident', id);
    const incident = await (tx ?? this.db.manager).getRepository(IncidentEntity).findOne({ where: { id } });
    if (!incident) throw notFound('Incident', id);
    return incident;
  }

  /** The incident with its locations, positions and operational periods. */
  async getWithSetup(id: string, tx?: EntityManager): Promise<IncidentEntity> {
    if (!isUUID(id)) throw notFound('Incident', id);
    const incident = await (tx ?? this.db.manager).getRepository(IncidentEntity).findOne({
      where: { id },
      relations: { locations: true, positions: true, operationalPeriods: true },
    });
    if (!incident) throw notFound('Incident', id);
    return incident;
  }

  /**
   * getWithSetup for the check-in hot path: a scan per second per station reads the same incident, so each process
   * keeps it for a second (an edit in another process, such as closing the incident, applies within that second).
   */
  async getSetupCached(id: string): Promise<IncidentEntity> {
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
    const qb = this.db.getRepository(IncidentEntity).createQueryBuilder('i')
      .leftJoinAndSelect('i.locations', 'l')
      .leftJoinAndSelect('i.positions', 'p')
      .leftJoinAndSelect('i.operationalPeriods', 'o')
      .orderBy('i.created_at', 'DESC');
    if (principal.role === 'auditor') {
      if (principal.jurisdictions.length === 0) return [];
      const clauses = principal.jurisdictions.map((_, n) => `(i.jurisdiction = :j${n} OR i.jurisdiction LIKE :p${n})`);
      const params = Object.fromEntries(principal.jurisdictions.flatMap((j, n) => [[`j${n}`, j], [`p${n}`, `${j}-%`]]));
      qb.where(`(${clauses.join(' OR ')})`, params);
    } else if (principal.role !== 'admin') {
      qb.innerJoin(IncidentStaffEntity, 's', 's.incident_id = i.id AND s.user_id = :uid', { uid: principal.userId });
    }
    return (await qb.getMany()).map(toIncidentView);
  }

  async create(dto: CreateIncidentDto, principal: Principal, actor: AuditActor): Promise<IncidentView> {
    await this.assertDatabaseKnowsZone(dto.timeZone);
    const id = await this.db.transaction(async (tx) => {
      const taken = await tx.getRepository(IncidentEntity).exists({ where: { number: dto.number } });
      if (taken) throw new DomainError('conflict', `An incident numbered ${dto.number} already exists.`);
      const incident = await tx.getRepository(IncidentEntity).save(
        tx.getRepository(IncidentEntity).create({
          name: dto.name,
          number: dto.number,
          type: dto.type,
          jurisdiction: dto.jurisdiction,
          mutualAidJurisdictions: dto.mutualAidJurisdictions ?? [],
          statusUnavailablePolicy: dto.statusUnavailablePolicy ?? 'admit_with_warning',
          timeZone: dto.timeZone ?? 'UTC',
          state: 'active',
          createdBy: principal.userId,
        }),
      );
      await this.addSetup(tx, incident.id, dto.locations, dto.positions, dto.operationalPeriods);
      await this.audit.record(tx, {
        actor,
        action: 'incident.created',
        incidentId: incident.id,
        target: { type: 'incident', id: incident.id },
        payload: { ...dto },
      });
      return incident.id;
    });
    return this.view(id);
  }

  async update(id: string, dto: UpdateIncidentDto, actor: AuditActor): Promise<IncidentView> {
    await this.assertDatabaseKnowsZone(dto.timeZone);
    this.setupCache.delete(id);
    await this.db.transaction(async (tx) => {
      const incident = await this.get(id, tx);
      if (incident.state === 'closed') throw new DomainError('incident_closed', `Incident ${incident.name} is closed.`);
      const changed: string[] = [];
      for (const key of ['name', 'type', 'mutualAidJurisdictions', 'statusUnavailablePolicy', 'timeZone'] as const) {
        if (dto[key] !== undefined) {
          Object.assign(incident, { [key]: dto[key] });
          changed.push(key);
        }
      }
      await tx.getRepository(IncidentEntity).save(incident);
      await this.addSetup(tx, id, dto.addLocations, dto.addPositions, dto.addOperationalPeriods);
      if (dto.addLocations?.length) changed.push('locations');
      if (dto.addPositions?.length) changed.push('positions');
      if (dto.addOperationalPeriods?.length) changed.push('operationalPeriods');
      await this.audit.record(tx, { actor, action: 'incident.updated', incidentId: id, target: { type: 'incident', id }, payload: { changes: { ...dto } } });
      await this.outbox.append(tx, id, 'incident.updated', { incidentId: id, name: incident.name, state: incident.state, changed, at: new Date().toISOString() });
    });
    this.setupCache.delete(id);
    return this.view(id);
  }

  async close(id: string, actor: AuditActor): Promise<IncidentView> {
    this.setupCache.delete(id);
    await this.db.transaction(async (tx) => {
      const incident = await this.get(id, tx);
      if (incident.state === 'closed') return;
      const active = (await tx.query(`SELECT count(*)::int AS n FROM deployment WHERE incident_id = $1 AND checked_out_at IS NULL`, [id])) as Array<{ n: number }>;
      if (active[0].n > 0) throw new DomainError('conflict', `${active[0].n} responders are still checked in; check them out before closing the incident.`);
      incident.state = 'closed';
      incident.closedAt = new Date();
      await tx.getRepository(IncidentEntity).save(incident);
      await this.audit.record(tx, { actor, action: 'incident.closed', incidentId: id, target: { type: 'incident', id }, payload: {} });
      await this.outbox.append(tx, id, 'incident.updated', { incidentId: id, name: incident.name, state: 'closed', changed: ['state'], at: new Date().toISOString() });
    });
    this.setupCache.delete(id);
    return this.view(id);
  }

  async staff(id: string): Promise<Array<{ userId: string; email: string; displayName: string; role: string; assignedAt: string }>> {
    await this.get(id);
    const rows = (await this.db.query(
      `SELECT s.user_id, u.email, u.display_name, u.role, s.assigned_at FROM incident_staff s JOIN app_user u ON u.id = s.user_id
        WHERE s.incident_id = $1 ORDER BY u.display_name`,
      [id],
    )) as Array<{ user_id: string; email: string; display_name: string; role: string; assigned_at: Date }>;
    return rows.map((r) => ({ userId: r.user_id, email: r.email, displayName: r.display_name, role: r.role, assignedAt: r.assigned_at.toISOString() }));
  }

  /** Assigns a commander or check-in staff member to the incident (idempotent). */
  async assignStaff(id: string, userId: string, principal: Principal, actor: AuditActor): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.get(id, tx);
      const users = (await tx.query(`SELECT role, active FROM app_user WHERE id = $1`, [userId])) as Array<{ role: string; active: boolean }>;
      if (!users[0]) throw notFound('User', userId);
      if (!['commander', 'checkin'].includes(users[0].role)) {
        throw new DomainError('unprocessable', 'Only commanders and check-in staff are assigned to incidents.');
      }
      const inserted = (await tx.query(
        `INSERT INTO incident_staff (incident_id, user_id, assigned_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id`,
        [id, userId, principal.userId],
      )) as unknown[];
      if (inserted.length > 0) {
        await this.audit.record(tx, { actor, action: 'incident.staff_assigned', incidentId: id, target: { type: 'user', id: userId }, payload: { role: users[0].role } });
      }
    });
  }

  async unassignStaff(id: string, userId: string, actor: AuditActor): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.get(id, tx);
      const removed = (await tx.query(`DELETE FROM incident_staff WHERE incident_id = $1 AND user_id = $2 RETURNING user_id`, [id, userId])) as unknown[];
      if (removed.length === 0) throw notFound('Staff assignment');
      await this.audit.record(tx, { actor, action: 'incident.staff_unassigned', incidentId: id, target: { type: 'user', id: userId }, payload: {} });
    });
    // Open sockets of that user leave the incident's board at once, in every api process.
    await this.accessChanges.publish({ kind: 'incident', userId, incidentId: id });
  }

  /**
   * Reports split hours at midnight in the incident's zone in PostgreSQL: a zone the runtime knows (the DTO checks
   * that) but the database's tz data lacks would make every report fail, so it is refused up front.
   */
  private async assertDatabaseKnowsZone(timeZone: string | undefined): Promise<void> {
    if (timeZone === undefined) return;
    const [{ known }] = (await this.db.query(`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE lower(name) = lower($1)) AS known`, [timeZone])) as Array<{ known: boolean }>;
    if (!known) {
      const message = `timeZone ${timeZone} is not in the database's time zone list`;
      throw new DomainError('validation_failed', `${message}; use an IANA zone such as America/New_York or UTC.`, { errors: [{ field: 'timeZone', message }] });
    }
  }

  private async addSetup(tx: EntityManager, incidentId: string, locations?: LocationDto[], positions?: PositionDto[], periods?: OperationalPeriodDto[]): Promise<void> {
    try {
      if (locations?.length) await tx.getRepository(CheckInLocationEntity).insert(locations.map((l) => ({ incidentId, name: l.name, kind: l.kind })));
      if (positions?.length) {
        await tx.getRepository(PositionEntity).insert(positions.map((p) => ({ incidentId, name: p.name, requiredQualifications: p.requiredQualifications })));
      }
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new DomainError('conflict', 'A location or position with that name already exists at this incident.');
      throw err;
    }
    for (const p of periods ?? []) {
      if (new Date(p.endsAt) <= new Date(p.startsAt)) throw new DomainError('unprocessable', `Operational period ${p.label} must end after it starts.`);
    }
    if (periods?.length) {
      await tx.getRepository(OperationalPeriodEntity).insert(periods.map((p) => ({ incidentId, label: p.label, startsAt: new Date(p.startsAt), endsAt: new Date(p.endsAt) })));
    }
  }
}
