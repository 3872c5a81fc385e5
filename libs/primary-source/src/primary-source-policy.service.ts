import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError } from '@app/common';
import { Database } from '@app/db';
import { IncidentsService } from '@app/incidents';
import { PrimarySources } from './primary-sources';
import { PrimarySourceRepository, type PrimarySourcePolicy } from './primary-source.repository';
import type { PrimarySourcePolicyInputDto } from './dto/primary-source-policy.dto';

export interface PrimarySourcePolicyView extends Omit<PrimarySourcePolicy, 'updatedAt'> {
  updatedAt: string | null;
  sources: string[];
}

/** An incident's rules for licence-number check-in: read by the station, set by its commander (audited). */
@Injectable()
export class PrimarySourcePolicyService {
  constructor(
    private readonly repository: PrimarySourceRepository,
    private readonly incidents: IncidentsService,
    private readonly sources: PrimarySources,
    private readonly database: Database,
    private readonly audit: AuditTrail,
  ) {}

  async get(incidentId: string): Promise<PrimarySourcePolicyView> {
    await this.incidents.get(incidentId);
    return this.view(await this.repository.policy(incidentId));
  }

  async set(incidentId: string, input: PrimarySourcePolicyInputDto, userId: string, actor: AuditActor): Promise<PrimarySourcePolicyView> {
    const incident = await this.incidents.getSetupCached(incidentId);
    const unknown = input.signedCredentialPositions.filter((id) => !incident.positions?.some((p) => p.id === id));
    if (unknown.length > 0) throw new DomainError('position_unknown', 'A position named does not exist at this incident.', { positions: unknown });
    const before = await this.repository.policy(incidentId);
    const at = new Date();
    const policy = {
      incidentId,
      acceptPrimarySource: input.acceptPrimarySource,
      onIndeterminate: input.onIndeterminate,
      signedCredentialPositions: [...new Set(input.signedCredentialPositions)].sort(),
    };
    await this.database.transaction(async (tx) => {
      await this.repository.savePolicy(tx, policy, userId, at);
      await this.audit.record(tx, {
        actor,
        action: 'primary_source.policy_set',
        incidentId,
        target: { type: 'incident', id: incidentId },
        occurredAt: at,
        payload: {
          before: {
            acceptPrimarySource: before.acceptPrimarySource,
            onIndeterminate: before.onIndeterminate,
            signedCredentialPositions: before.signedCredentialPositions,
          },
          after: {
            acceptPrimarySource: policy.acceptPrimarySource,
            onIndeterminate: policy.onIndeterminate,
            signedCredentialPositions: policy.signedCredentialPositions,
          },
        },
      });
    });
    return this.view({ ...policy, updatedAt: at });
  }

  private view(p: PrimarySourcePolicy): PrimarySourcePolicyView {
    return {
      ...p,
      updatedAt: p.updatedAt ? p.updatedAt.toISOString() : null,
      sources: this.sources.all.map((s) => `${s.source.id}: ${s.source.name} (${s.professions.join(', ')} in ${s.states.join(', ')})`),
    };
  }
}
