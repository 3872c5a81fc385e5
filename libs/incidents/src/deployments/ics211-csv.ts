import { csvText } from '@app/common';
import type { Ics211Fields } from './ics211';

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

/** RFC 4180 CSV, safe to open in a spreadsheet (csvCell): one line per check-in, the form blocks as columns. */
export function ics211Csv(rows: Ics211Row[]): string {
  return csvText([COLUMNS.map(([header]) => header), ...rows.map((r) => COLUMNS.map(([, field]) => field(r)))]);
}
