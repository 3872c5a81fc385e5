import { Injectable } from '@nestjs/common';
import { AuditedIncidents, type AuditedIncident } from '@app/audit';
import { IncidentsRepository } from '../incidents/incidents.repository';

/** The incident facts the audit library's access checks need (its AuditedIncidents port), read through IncidentsRepository. */
@Injectable()
export class AuditedIncidentsProvider extends AuditedIncidents {
  constructor(private readonly incidents: IncidentsRepository) {
    super();
  }

  async find(incidentId: string): Promise<AuditedIncident | undefined> {
    const incident = await this.incidents.find(incidentId);
    return incident && { jurisdiction: incident.jurisdiction, timeZone: incident.timeZone };
  }

  idsWithin(jurisdictions: readonly string[]): Promise<string[]> {
    return this.incidents.idsWithin(jurisdictions);
  }
}
