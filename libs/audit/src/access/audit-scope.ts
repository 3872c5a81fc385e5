import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { DomainError, forbidden, notFound } from '@app/common';
import { chainIdFor } from '../audit.types';
import type { AuditVisibility } from '../store/audit-search.repository';
import { AuditedIncidents, type AuditedIncident } from './audited-incidents';

const INCIDENT_CHAIN = /^incident:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** A jurisdiction scope covers itself and its subdivisions: US-FL covers US-FL and US-FL-xyz (same rule as the incidents policy). */
export const jurisdictionCovers = (scope: string, jurisdiction: string): boolean => scope === jurisdiction || jurisdiction.startsWith(`${scope}-`);

/**
 * Who may read which audit data and reports. Admins: everything. Auditors: incidents whose jurisdiction one of
 * theirs covers, never the `system` chain (sign-ins, users, trust registry have no jurisdiction). The incident facts
 * come through the AuditedIncidents port rather than IncidentAccess, so @app/audit does not depend on @app/incidents
 * (which records into the audit trail).
 */
@Injectable()
export class AuditScope {
  constructor(private readonly incidents: AuditedIncidents) {}

  /** Throws not_found / forbidden unless the principal may read this incident's audit data. */
  async assertIncident(principal: Principal, incidentId: string): Promise<AuditedIncident> {
    if (!isUUID(incidentId)) throw new DomainError('validation_failed', `incidentId must be a UUID, got "${incidentId}".`);
    const incident = await this.incidents.find(incidentId);
    if (!incident) throw notFound('Incident', incidentId);
    if (principal.role === 'admin') return { jurisdiction: incident.jurisdiction, timeZone: incident.timeZone };
    if (principal.role === 'auditor' && principal.jurisdictions.some((j) => jurisdictionCovers(j, incident.jurisdiction))) {
      return { jurisdiction: incident.jurisdiction, timeZone: incident.timeZone };
    }
    throw forbidden(`This incident is in ${incident.jurisdiction}, outside your audit jurisdictions.`);
  }

  /** The chain named by `chainId` or `incidentId` (exactly one), checked against the principal's scope. */
  async resolveChain(principal: Principal, query: { chainId?: string; incidentId?: string }): Promise<{ chainId: string; incidentId: string | null }> {
    if ((query.chainId === undefined) === (query.incidentId === undefined)) {
      throw new DomainError('validation_failed', 'Name the chain with exactly one of chainId or incidentId.');
    }
    if (query.incidentId !== undefined) {
      await this.assertIncident(principal, query.incidentId);
      return { chainId: chainIdFor(query.incidentId), incidentId: query.incidentId };
    }
    const chainId = query.chainId as string;
    if (chainId === chainIdFor(null)) {
      if (principal.role !== 'admin') throw forbidden('The system chain (sign-ins, users, trust registry) is for admins only.');
      return { chainId, incidentId: null };
    }
    const match = INCIDENT_CHAIN.exec(chainId);
    if (!match) throw new DomainError('validation_failed', `chainId must be "system" or "incident:<uuid>", got "${chainId}".`);
    const incidentId = match[1].toLowerCase(); // chains are keyed by the id as PostgreSQL writes it
    await this.assertIncident(principal, incidentId);
    return { chainId: chainIdFor(incidentId), incidentId };
  }

  /** Which incidents' data the principal may read: all, none, or the incidents in (or below) their jurisdictions. */
  async visibility(principal: Principal): Promise<AuditVisibility> {
    if (principal.role === 'admin') return { kind: 'all' };
    if (principal.role !== 'auditor' || principal.jurisdictions.length === 0) return { kind: 'none' };
    return { kind: 'incidents', incidentIds: await this.incidents.idsWithin(principal.jurisdictions) };
  }
}
