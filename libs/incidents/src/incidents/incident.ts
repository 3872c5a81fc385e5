export type IncidentState = 'active' | 'closed';
/** What a check-in does when a status list cannot be read: admit with a warning, or deny. */
export type StatusUnavailablePolicy = 'admit_with_warning' | 'deny';

/** ICS 211 block 3. */
export const LOCATION_KINDS = ['Base', 'Staging Area', 'ICP', 'Helibase', 'Other'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

export interface Incident {
  id: string;
  name: string;
  number: string;
  type: string;
  jurisdiction: string;
  mutualAidJurisdictions: string[];
  statusUnavailablePolicy: StatusUnavailablePolicy;
  /** Offline stations: a status list in the incident pack older than this is "status unavailable" (then the policy decides). */
  offlineStatusMaxAgeHours: number;
  timeZone: string;
  state: IncidentState;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

export interface CheckInLocation {
  id: string;
  incidentId: string;
  name: string;
  kind: LocationKind;
}

/**
 * A position at an incident; a responder qualifies by holding at least one of `requiredQualifications`, practising on
 * one of `requiredBasis` (empty: any basis) and at ESAR-VHP `requiredLevel` or better (null: any level).
 */
export interface Position {
  id: string;
  incidentId: string;
  name: string;
  requiredQualifications: string[];
  requiredBasis: string[];
  requiredLevel: number | null;
}

export interface OperationalPeriod {
  id: string;
  incidentId: string;
  label: string;
  startsAt: Date;
  endsAt: Date;
}

/** The incident with its locations, positions and operational periods (what a check-in decides with). */
export interface IncidentWithSetup extends Incident {
  locations: CheckInLocation[];
  positions: Position[];
  operationalPeriods: OperationalPeriod[];
}

/** A commander or check-in staff member assigned to an incident (what they may see and act on). */
export interface StaffAssignment {
  incidentId: string;
  userId: string;
  assignedBy: string | null;
  assignedAt: Date;
}

/** The fields of a new incident; the database supplies its id and timestamps. */
export type NewIncident = Pick<
  Incident,
  'name' | 'number' | 'type' | 'jurisdiction' | 'mutualAidJurisdictions' | 'statusUnavailablePolicy' | 'offlineStatusMaxAgeHours' | 'timeZone' | 'createdBy'
>;

/** The fields an update may change. */
export type IncidentChanges = Partial<
  Pick<Incident, 'name' | 'type' | 'mutualAidJurisdictions' | 'statusUnavailablePolicy' | 'offlineStatusMaxAgeHours' | 'timeZone'>
>;
