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

  jurisdictionCondition(incidentIdSql: string, jurisdictions: readonly string[], value: (v: unknown) => string): string {
    const exact = value(jurisdictions);
    const below = value(jurisdictions.map((j) => `${j}-%`));
    return `EXISTS (SELECT 1 FROM incident scope_i WHERE scope_i.id = ${incidentIdSql}
              AND (scope_i.jurisdiction = ANY(${exact}::text[]) OR scope_i.jurisdiction LIKE ANY(${below}::text[])))`;
  }
}
