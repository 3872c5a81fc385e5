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
  'state',
  'agency',
  'category',
  'kind',
  'type',
  'resourceName',
  'strikeTeam',
  'orderRequestNumber',
  'leaderName',
  'totalPersonnel',
  'contactInformation',
  'homeUnit',
  'departurePoint',
  'departureAt',
  'methodOfTravel',
  'incidentAssignment',
  'otherQualifications',
  'sentToResourcesUnit',
] as const satisfies ReadonlyArray<keyof Ics211Fields>;
export type Ics211EditableField = (typeof ICS211_EDITABLE_FIELDS)[number];
