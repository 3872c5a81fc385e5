import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { IncidentAccess, type Principal } from '@app/auth';
import { forbidden, notFound, SingleFlight } from '@app/common';
import { IncidentsRepository } from './incidents.repository';
import { jurisdictionCovers } from './incidents.service';

/** A "yes" is remembered this long per user and incident (every scan asks); an unassignment applies within it. */
const ALLOWED_CACHE_MS = 2000;

/** Admins see every incident; auditors the incidents of their jurisdictions; commanders and check-in staff those they are assigned to. */
@Injectable()
export class IncidentAccessPolicy extends IncidentAccess {
  private readonly allowed = new Map<string, number>();
  private readonly checks = new SingleFlight<void>();

  constructor(private readonly incidents: IncidentsRepository) {
    super();
  }

  async assertCanAccess(principal: Principal, incidentId: string, options: { fresh?: boolean } = {}): Promise<void> {
    if (!isUUID(incidentId)) throw notFound('Incident', incidentId);
    const key = `${principal.userId}:${principal.role}:${principal.jurisdictions.join(',')}:${incidentId}`;
    if (!options.fresh && (this.allowed.get(key) ?? 0) > Date.now()) return;
    this.allowed.delete(key);
    await (options.fresh ? this.check(principal, incidentId) : this.checks.run(key, () => this.check(principal, incidentId)));
    if (this.allowed.size > 10000) this.allowed.clear();
    this.allowed.set(key, Date.now() + ALLOWED_CACHE_MS);
  }

  private async check(principal: Principal, incidentId: string): Promise<void> {
    const incident = await this.incidents.accessFacts(incidentId, principal.userId);
    if (!incident) throw notFound('Incident', incidentId);
    if (principal.role === 'admin') return;
    if (principal.role === 'auditor') {
      if (principal.jurisdictions.some((j) => jurisdictionCovers(j, incident.jurisdiction))) return;
      throw forbidden(`This incident is in ${incident.jurisdiction}, outside your audit jurisdictions.`);
    }
    if (!incident.assigned) throw forbidden('You are not assigned to this incident.');
  }
}
