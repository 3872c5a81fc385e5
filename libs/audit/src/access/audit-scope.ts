import { isUUID } from 'class-validator';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Principal } from '@app/auth';
import { DomainError, forbidden, notFound } from '@app/common';
import { chainIdFor } from '../audit.types';

const INCIDENT_CHAIN = /^incident:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** A jurisdiction scope covers itself and its subdivisions: US-FL covers US-FL and US-FL-xyz (same rule as the incidents policy). */
export const jurisdictionCovers = (scope: string, jurisdiction: string): boolean => scope === jurisdiction || jurisdiction.startsWith(`${scope}-`);

/**
 * Who may read which audit data and reports. Admins: everything. Auditors: incidents whose jurisdiction one of
 * theirs covers (the incident table's `jurisdiction`), never the `system` chain (sign-ins, users, trust registry
 * have no jurisdiction). Read here rather than through IncidentAccess so @app/audit does not depend on
 * @app/incidents (which records into the audit trail).
 */
@Injectable()
export class AuditScope {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Throws not_found / forbidden unless the principal may read this incident's audit data. */
  async assertIncident(principal: Principal, incidentId: string): Promise<{ jurisdiction: string; timeZone: string }> {
    if (!isUUID(incidentId)) throw new DomainError('validation_failed', `incidentId must be a UUID, got "${incidentId}".`);
    const rows = (await this.db.query(`SELECT jurisdiction, time_zone FROM incident WHERE id = $1`, [incidentId])) as Array<{ jurisdiction: string; time_zone: string }>;
    const incident = rows[0];
    if (!incident) throw notFound('Incident', incidentId);
    if (principal.role === 'admin') return { jurisdiction: incident.jurisdiction, timeZone: incident.time_zone };
    if (principal.role === 'auditor' && principal.jurisdictions.some((j) => jurisdictionCovers(j, incident.jurisdiction))) {
      return { jurisdiction: incident.jurisdiction, timeZone: incident.time_zone };
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

  /**
   * SQL condition limiting rows to what the principal may read, given the SQL expression of the row's incident id.
   * Pushes its parameters onto `params`.
   */
  incidentCondition(principal: Principal, incidentIdSql: string, params: unknown[]): string {
    if (principal.role === 'admin') return 'TRUE';
    if (principal.role !== 'auditor' || principal.jurisdictions.length === 0) return 'FALSE';
    params.push(principal.jurisdictions, principal.jurisdictions.map((j) => `${j}-%`));
    const exact = `$${params.length - 1}`;
    const below = `$${params.length}`;
    return `EXISTS (SELECT 1 FROM incident scope_i WHERE scope_i.id = ${incidentIdSql}
              AND (scope_i.jurisdiction = ANY(${exact}::text[]) OR scope_i.jurisdiction LIKE ANY(${below}::text[])))`;
  }
}
