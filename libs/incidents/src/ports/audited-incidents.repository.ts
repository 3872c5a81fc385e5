import { Injectable } from '@nestjs/common';
import { AuditedIncidents, type AuditedIncident } from '@app/audit';
import { Database } from '@app/db';

interface IncidentScopeRow {
  jurisdiction: string;
  time_zone: string;
}

function toAuditedIncident(row: IncidentScopeRow): AuditedIncident {
  return { jurisdiction: row.jurisdiction, timeZone: row.time_zone };
}

/** The incident facts the audit library's access checks need (its AuditedIncidents port). */
@Injectable()
export class AuditedIncidentsRepository extends AuditedIncidents {
  constructor(private readonly database: Database) {
    super();
  }

  async find(incidentId: string): Promise<AuditedIncident | undefined> {
    const row = await this.database.queryOne<IncidentScopeRow>(`SELECT jurisdiction, time_zone FROM incident WHERE id = $1`, [incidentId]);
    return row ? toAuditedIncident(row) : undefined;
  }

  async idsWithin(jurisdictions: readonly string[]): Promise<string[]> {
    const rows = await this.database.query<{ id: string }>(
      `SELECT id FROM incident WHERE jurisdiction = ANY($1::text[]) OR jurisdiction LIKE ANY($2::text[])`,
      [jurisdictions, jurisdictions.map((j) => `${j}-%`)],
    );
    return rows.map((r) => r.id);
  }
}
