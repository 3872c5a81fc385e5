import { Injectable } from '@nestjs/common';
import { Database, type SqlScope, type Transaction } from '@app/db';
import type {
  CheckInLocation,
  Incident,
  IncidentChanges,
  IncidentState,
  IncidentWithSetup,
  LocationKind,
  NewIncident,
  OperationalPeriod,
  Position,
  StaffAssignment,
  StatusUnavailablePolicy,
} from './incident';

interface IncidentRow {
  id: string;
  name: string;
  number: string;
  type: string;
  jurisdiction: string;
  mutual_aid_jurisdictions: string[];
  status_unavailable_policy: StatusUnavailablePolicy;
  offline_status_max_age_hours: number;
  time_zone: string;
  state: IncidentState;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  closed_at: Date | null;
}

/** The setup arrives as JSON (one query for the incident and all of it): timestamps are ISO text there. */
interface LocationJson {
  id: string;
  name: string;
  kind: LocationKind;
}

interface PositionJson {
  id: string;
  name: string;
  required_qualifications: string[];
  required_basis: string[];
  required_level: number | null;
}

interface PeriodJson {
  id: string;
  label: string;
  starts_at: string;
  ends_at: string;
}

interface IncidentWithSetupRow extends IncidentRow {
  locations: LocationJson[];
  positions: PositionJson[];
  operational_periods: PeriodJson[];
}

interface StaffRow {
  incident_id: string;
  user_id: string;
  assigned_by: string | null;
  assigned_at: Date;
}

const INCIDENT_COLUMNS = `i.id, i.name, i.number, i.type, i.jurisdiction, i.mutual_aid_jurisdictions, i.status_unavailable_policy,
       i.offline_status_max_age_hours, i.time_zone, i.state, i.created_by, i.created_at, i.updated_at, i.closed_at`;

const WITH_SETUP = `
  SELECT ${INCIDENT_COLUMNS},
         (SELECT COALESCE(json_agg(json_build_object('id', l.id, 'name', l.name, 'kind', l.kind)), '[]'::json)
            FROM check_in_location l WHERE l.incident_id = i.id) AS locations,
         (SELECT COALESCE(json_agg(json_build_object('id', p.id, 'name', p.name, 'required_qualifications', p.required_qualifications,
                                           'required_basis', p.required_basis, 'required_level', p.required_level)), '[]'::json)
            FROM incident_position p WHERE p.incident_id = i.id) AS positions,
         (SELECT COALESCE(json_agg(json_build_object('id', o.id, 'label', o.label, 'starts_at', o.starts_at, 'ends_at', o.ends_at)), '[]'::json)
            FROM operational_period o WHERE o.incident_id = i.id) AS operational_periods
    FROM incident i`;

const CHANGE_COLUMNS: { [K in keyof Required<IncidentChanges>]: string } = {
  name: 'name',
  type: 'type',
  mutualAidJurisdictions: 'mutual_aid_jurisdictions',
  statusUnavailablePolicy: 'status_unavailable_policy',
  offlineStatusMaxAgeHours: 'offline_status_max_age_hours',
  timeZone: 'time_zone',
};

/** Which incidents a listing shows: every one, those of some jurisdictions (and their subdivisions), or one user's assignments. */
export type IncidentVisibility = { kind: 'all' } | { kind: 'jurisdictions'; jurisdictions: readonly string[] } | { kind: 'assigned'; userId: string };

/** "The incident (alias i) lies in one of $1's jurisdictions or a subdivision of one" (US-FL covers US-FL-xyz). */
const WITHIN_JURISDICTIONS = 'i.jurisdiction = ANY($1::text[]) OR i.jurisdiction LIKE ANY($2::text[])';
const withinJurisdictions = (jurisdictions: readonly string[]): unknown[] => [jurisdictions, jurisdictions.map((j) => `${j}-%`)];

/** Incidents, their setup (locations, positions, operational periods) and their staff assignments. */
@Injectable()
export class IncidentsRepository {
  constructor(private readonly database: Database) {}

  async find(id: string, scope: SqlScope = this.database): Promise<Incident | undefined> {
    const row = await scope.queryOne<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incident i WHERE i.id = $1`, [id]);
    return row && toIncident(row);
  }

  async findWithSetup(id: string, scope: SqlScope = this.database): Promise<IncidentWithSetup | undefined> {
    const row = await scope.queryOne<IncidentWithSetupRow>(`${WITH_SETUP} WHERE i.id = $1`, [id]);
    return row && toIncidentWithSetup(row);
  }

  /** Newest first. */
  async listWithSetup(visibility: IncidentVisibility): Promise<IncidentWithSetup[]> {
    const order = 'ORDER BY i.created_at DESC';
    let rows: IncidentWithSetupRow[];
    if (visibility.kind === 'all') {
      rows = await this.database.query<IncidentWithSetupRow>(`${WITH_SETUP} ${order}`);
    } else if (visibility.kind === 'jurisdictions') {
      rows = await this.database.query<IncidentWithSetupRow>(
        `${WITH_SETUP} WHERE ${WITHIN_JURISDICTIONS} ${order}`,
        withinJurisdictions(visibility.jurisdictions),
      );
    } else {
      rows = await this.database.query<IncidentWithSetupRow>(`${WITH_SETUP} JOIN incident_staff s ON s.incident_id = i.id AND s.user_id = $1 ${order}`, [
        visibility.userId,
      ]);
    }
    return rows.map(toIncidentWithSetup);
  }

  /** The ids of the incidents in one of `jurisdictions` or a subdivision of one. */
  async idsWithin(jurisdictions: readonly string[]): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(`SELECT i.id FROM incident i WHERE ${WITHIN_JURISDICTIONS}`, withinJurisdictions(jurisdictions));
    return rows.map((r) => r.id);
  }

  async numberTaken(tx: Transaction, number: string): Promise<boolean> {
    const row = await tx.queryOne<{ taken: boolean }>(`SELECT EXISTS (SELECT 1 FROM incident WHERE number = $1) AS taken`, [number]);
    return row?.taken === true;
  }

  /** Inserts an active incident; returns its id. */
  async insert(tx: Transaction, incident: NewIncident): Promise<string> {
    const row = await tx.queryOne<{ id: string }>(
      `INSERT INTO incident (name, number, type, jurisdiction, mutual_aid_jurisdictions, status_unavailable_policy, offline_status_max_age_hours,
                             time_zone, state, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9) RETURNING id`,
      [
        incident.name,
        incident.number,
        incident.type,
        incident.jurisdiction,
        incident.mutualAidJurisdictions,
        incident.statusUnavailablePolicy,
        incident.offlineStatusMaxAgeHours,
        incident.timeZone,
        incident.createdBy,
      ],
    );
    if (!row) throw new Error('INSERT INTO incident returned no row');
    return row.id;
  }

  async update(tx: Transaction, id: string, changes: IncidentChanges): Promise<void> {
    const values: unknown[] = [id];
    const sets: string[] = [];
    for (const [key, column] of Object.entries(CHANGE_COLUMNS) as Array<[keyof IncidentChanges, string]>) {
      if (changes[key] === undefined) continue;
      values.push(changes[key]);
      sets.push(`${column} = $${values.length}`);
    }
    if (sets.length === 0) return;
    await tx.execute(`UPDATE incident SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`, values);
  }

  async close(tx: Transaction, id: string, closedAt: Date): Promise<void> {
    await tx.execute(`UPDATE incident SET state = 'closed', closed_at = $2, updated_at = now() WHERE id = $1`, [id, closedAt]);
  }

  async addLocations(tx: Transaction, incidentId: string, locations: ReadonlyArray<Pick<CheckInLocation, 'name' | 'kind'>>): Promise<void> {
    await tx.execute(
      `INSERT INTO check_in_location (incident_id, name, kind) SELECT $1, x.name, x.kind FROM jsonb_to_recordset($2::jsonb) AS x(name text, kind text)`,
      [incidentId, JSON.stringify(locations.map((l) => ({ name: l.name, kind: l.kind })))],
    );
  }

  async addPositions(
    tx: Transaction,
    incidentId: string,
    positions: ReadonlyArray<Pick<Position, 'name' | 'requiredQualifications'> & Partial<Pick<Position, 'requiredBasis' | 'requiredLevel'>>>,
  ): Promise<void> {
    await tx.execute(
      `INSERT INTO incident_position (incident_id, name, required_qualifications, required_basis, required_level)
       SELECT $1, x.name, x.required_qualifications, x.required_basis, x.required_level
         FROM jsonb_to_recordset($2::jsonb) AS x(name text, required_qualifications text[], required_basis text[], required_level smallint)`,
      [
        incidentId,
        JSON.stringify(
          positions.map((p) => ({
            name: p.name,
            required_qualifications: p.requiredQualifications,
            required_basis: p.requiredBasis ?? [],
            required_level: p.requiredLevel ?? null,
          })),
        ),
      ],
    );
  }

  async addOperationalPeriods(
    tx: Transaction,
    incidentId: string,
    periods: ReadonlyArray<Pick<OperationalPeriod, 'label' | 'startsAt' | 'endsAt'>>,
  ): Promise<void> {
    await tx.execute(
      `INSERT INTO operational_period (incident_id, label, starts_at, ends_at)
       SELECT $1, x.label, x.starts_at, x.ends_at FROM jsonb_to_recordset($2::jsonb) AS x(label text, starts_at timestamptz, ends_at timestamptz)`,
      [incidentId, JSON.stringify(periods.map((p) => ({ label: p.label, starts_at: p.startsAt.toISOString(), ends_at: p.endsAt.toISOString() })))],
    );
  }

  async staff(incidentId: string): Promise<StaffAssignment[]> {
    const rows = await this.database.query<StaffRow>(`SELECT incident_id, user_id, assigned_by, assigned_at FROM incident_staff WHERE incident_id = $1`, [
      incidentId,
    ]);
    return rows.map(toStaffAssignment);
  }

  /** False when the user was assigned already. */
  async assignStaff(tx: Transaction, incidentId: string, userId: string, assignedBy: string): Promise<boolean> {
    const inserted = await tx.query<{ user_id: string }>(
      `INSERT INTO incident_staff (incident_id, user_id, assigned_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING user_id`,
      [incidentId, userId, assignedBy],
    );
    return inserted.length > 0;
  }

  /** False when the user was not assigned. */
  async unassignStaff(tx: Transaction, incidentId: string, userId: string): Promise<boolean> {
    const removed = await tx.query<{ user_id: string }>(`DELETE FROM incident_staff WHERE incident_id = $1 AND user_id = $2 RETURNING user_id`, [
      incidentId,
      userId,
    ]);
    return removed.length > 0;
  }

  /** What access to an incident depends on: its jurisdiction, and whether the user is assigned to it. */
  async accessFacts(incidentId: string, userId: string): Promise<{ jurisdiction: string; assigned: boolean } | undefined> {
    return this.database.queryOne<{ jurisdiction: string; assigned: boolean }>(
      `SELECT i.jurisdiction, EXISTS (SELECT 1 FROM incident_staff s WHERE s.incident_id = i.id AND s.user_id = $2) AS assigned
         FROM incident i WHERE i.id = $1`,
      [incidentId, userId],
    );
  }

  /** Whether PostgreSQL's time zone data knows the zone (reports split hours at local midnight there). */
  async databaseKnowsTimeZone(timeZone: string): Promise<boolean> {
    const row = await this.database.queryOne<{ known: boolean }>(`SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE lower(name) = lower($1)) AS known`, [
      timeZone,
    ]);
    return row?.known === true;
  }
}

function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    name: r.name,
    number: r.number,
    type: r.type,
    jurisdiction: r.jurisdiction,
    mutualAidJurisdictions: r.mutual_aid_jurisdictions,
    statusUnavailablePolicy: r.status_unavailable_policy,
    offlineStatusMaxAgeHours: r.offline_status_max_age_hours,
    timeZone: r.time_zone,
    state: r.state,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    closedAt: r.closed_at,
  };
}

function toIncidentWithSetup(r: IncidentWithSetupRow): IncidentWithSetup {
  return {
    ...toIncident(r),
    locations: r.locations.map((l) => toLocation(r.id, l)),
    positions: r.positions.map((p) => toPosition(r.id, p)),
    operationalPeriods: r.operational_periods.map((o) => toOperationalPeriod(r.id, o)),
  };
}

function toLocation(incidentId: string, l: LocationJson): CheckInLocation {
  return { id: l.id, incidentId, name: l.name, kind: l.kind };
}

function toPosition(incidentId: string, p: PositionJson): Position {
  return {
    id: p.id,
    incidentId,
    name: p.name,
    requiredQualifications: p.required_qualifications,
    requiredBasis: p.required_basis ?? [],
    requiredLevel: p.required_level ?? null,
  };
}

function toOperationalPeriod(incidentId: string, o: PeriodJson): OperationalPeriod {
  return { id: o.id, incidentId, label: o.label, startsAt: new Date(o.starts_at), endsAt: new Date(o.ends_at) };
}

function toStaffAssignment(r: StaffRow): StaffAssignment {
  return { incidentId: r.incident_id, userId: r.user_id, assignedBy: r.assigned_by, assignedAt: r.assigned_at };
}
