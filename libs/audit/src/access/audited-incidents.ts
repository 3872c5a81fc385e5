/** What the audit scope needs to know about an incident. */
export interface AuditedIncident {
  jurisdiction: string;
  timeZone: string;
}

/**
 * The incident facts audit access decisions rest on. Declared here and implemented by @app/incidents, which owns the
 * incident table and records into the audit trail (so this library cannot depend on it).
 */
export abstract class AuditedIncidents {
  /** The incident's jurisdiction and time zone, or undefined when there is no such incident. */
  abstract find(incidentId: string): Promise<AuditedIncident | undefined>;

  /** The ids of the incidents in one of `jurisdictions` or a subdivision of one (US-FL covers US-FL-xyz). */
  abstract idsWithin(jurisdictions: readonly string[]): Promise<string[]>;
}
