import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError } from '@app/common';
import { CredentialVerifier } from '@app/credentials';
import { Database } from '@app/db';
import { establishesIdentity, IncidentsService, ResponderRepository } from '@app/incidents';
import type { Par, ParMember } from './par';
import { ParRepository } from './par.repository';
import { ParService } from './par.service';

export interface ParScanOutcome {
  par: Par;
  member: Pick<ParMember, 'deploymentId' | 'name' | 'assignment'>;
}

/**
 * "Accounted" by a badge scan at a station during a PAR: the badge is verified as at check-in, its holder found as a
 * check-in finds them, and their deployment on the PAR's expected list acknowledged (via scan).
 */
@Injectable()
export class ParScanService {
  constructor(
    private readonly database: Database,
    private readonly verifier: CredentialVerifier,
    private readonly incidents: IncidentsService,
    private readonly responders: ResponderRepository,
    private readonly pars: ParRepository,
    private readonly parService: ParService,
  ) {}

  async scan(incidentId: string, parId: string, credential: string, principal: Principal, actor: AuditActor): Promise<ParScanOutcome> {
    const par = await this.parService.get(incidentId, parId);
    if (par.state !== 'running') throw new DomainError('par_not_running', 'This PAR is completed.');
    const incident = await this.incidents.get(incidentId);
    const result = await this.verifier.verify(credential, { jurisdiction: incident.jurisdiction, mutualAidJurisdictions: incident.mutualAidJurisdictions });
    // Only a badge that would say who someone is at check-in may account for them.
    if (!result.credential || !establishesIdentity(result)) {
      const failed = result.checks.filter((c) => c.status !== 'pass').map((c) => c.id);
      throw new DomainError('par_scan_unverified', `The badge did not verify (${failed.join(', ') || 'unreadable'}); account for the person on the board.`);
    }
    const holder = await this.responders.onSceneHolder(this.database, incidentId, result.credential, result.evidence.credentialHash);
    if (!holder?.deploymentId) throw new DomainError('par_scan_not_on_scene', 'Nobody on scene at this incident holds this badge.');
    const [member] = await this.pars.membersAmong(this.database, parId, [holder.deploymentId]);
    if (!member)
      throw new DomainError(
        'par_not_in_scope',
        'This person is on scene but not on this PAR’s expected list (checked in after it started, or another assignment).',
      );
    const after = await this.parService.mark(incidentId, parId, [member.deploymentId], 'accounted', 'scan', principal, actor);
    return { par: after, member: { deploymentId: member.deploymentId, name: member.name, assignment: member.assignment } };
  }
}
