/**
 * The per-person blocks of the ICS 211 Incident Check-In List (FEMA). Blocks 1-4 (incident name and number,
 * check-in location, start date/time) and 7 (check-in date/time) come from the incident and the deployment; the
 * rest live here, filled from the credential where it can be and editable by staff (every edit kept).
 */
export interface Ics211Fields {
  /** Block 5: home state (e.g. FL). */
  state?: string;
  /** Block 5: agency (licensing board's state agency, hospital, fire department...). */
  agency?: string;
  /** Block 5: category / kind / type of resource (e.g. Health and Medical / Registered Nurse / Type 1). */
  category?: string;
  kind?: string;
  type?: string;
  /** Block 5: resource name or identifier (person's name, licence number). */
  resourceName?: string;
  /** Block 5: strike team / task force. */
  strikeTeam?: string;
  /** Block 6. */
  orderRequestNumber?: string;
  /** Block 8. */
  leaderName?: string;
  /** Block 9. */
  totalPersonnel?: number;
  /** Block 10. */
  contactInformation?: string;
  /** Block 11. */
  homeUnit?: string;
  /** Block 12. */
  departurePoint?: string;
  departureAt?: string;
  /** Block 13: e.g. POV, bus, air. */
  methodOfTravel?: string;
  /** Block 14. */
  incidentAssignment?: string;
  /** Block 15. */
  otherQualifications?: string;
  /** Block 16. */
  sentToResourcesUnit?: string;
  /** Block 17: filled by the server from the signed-in user at check-in. */
  preparedBy?: { name: string; position: string; at: string };
}

export const ICS211_EDITABLE_FIELDS = [
  'state', 'agency', 'category', 'kind', 'type', 'resourceName', 'strikeTeam', 'orderRequestNumber', 'leaderName',
  'totalPersonnel', 'contactInformation', 'homeUnit', 'departurePoint', 'departureAt', 'methodOfTravel',
  'incidentAssignment', 'otherQualifications', 'sentToResourcesUnit',
] as const satisfies ReadonlyArray<keyof Ics211Fields>;
export type Ics211EditableField = (typeof ICS211_EDITABLE_FIELDS)[number];

/** One row of the ICS 211 as a CSV/table: incident blocks plus the person's blocks. */
export interface Ics211Row {
  incidentName: string;
  incidentNumber: string;
  checkInLocation: string;
  checkInLocationKind: string;
  checkInAt: string;
  name: string;
  licenseNumber: string;
  qualification: string;
  issuer: string;
  position: string;
  status: string;
  fields: Ics211Fields;
  checkedOutAt: string;
}

const COLUMNS: Array<[string, (r: Ics211Row) => string | number | undefined]> = [
  ['1 Incident Name', (r) => r.incidentName],
  ['2 Incident Number', (r) => r.incidentNumber],
  ['3 Check-In Location', (r) => `${r.checkInLocationKind}${r.checkInLocation ? `: ${r.checkInLocation}` : ''}`],
  ['5 State', (r) => r.fields.state],
  ['5 Agency', (r) => r.fields.agency],
  ['5 Category', (r) => r.fields.category],
  ['5 Kind', (r) => r.fields.kind],
  ['5 Type', (r) => r.fields.type],
  ['5 Resource Name or Identifier', (r) => r.fields.resourceName ?? r.name],
  ['5 Licence Number', (r) => r.licenseNumber],
  ['5 Strike Team/Task Force', (r) => r.fields.strikeTeam],
  ['6 Order Request #', (r) => r.fields.orderRequestNumber],
  ['7 Date/Time Check-In', (r) => r.checkInAt],
  ['8 Leader Name', (r) => r.fields.leaderName],
  ['9 Total # of Personnel', (r) => r.fields.totalPersonnel],
  ['10 Incident Contact Information', (r) => r.fields.contactInformation],
  ['11 Home Unit or Agency', (r) => r.fields.homeUnit],
  ['12 Departure Point', (r) => r.fields.departurePoint],
  ['12 Departure Date/Time', (r) => r.fields.departureAt],
  ['13 Method of Travel', (r) => r.fields.methodOfTravel],
  ['14 Incident Assignment', (r) => r.fields.incidentAssignment ?? r.position],
  ['15 Other Qualifications', (r) => r.fields.otherQualifications],
  ['16 Sent to RESTAT', (r) => r.fields.sentToResourcesUnit],
  ['Verified Qualification', (r) => r.qualification],
  ['Verified Issuer', (r) => r.issuer],
  ['Resource Status', (r) => r.status],
  ['Checked Out', (r) => r.checkedOutAt],
  ['17 Prepared By', (r) => (r.fields.preparedBy ? `${r.fields.preparedBy.name} (${r.fields.preparedBy.position}) ${r.fields.preparedBy.at}` : '')],
];

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are prefixed with a quote. */
export function ics211Csv(rows: Ics211Row[]): string {
  const cell = (v: string | number | undefined): string => {
    let s = v === undefined || v === null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [COLUMNS.map(([h]) => cell(h)).join(',')];
  for (const r of rows) lines.push(COLUMNS.map(([, f]) => cell(f(r))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
