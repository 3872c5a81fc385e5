import { Injectable } from '@nestjs/common';
import { DeployedCredentialsRepository, type DeployedCredential, type DeployedCredentialFilter } from '@app/incidents';
import type { JobRun } from '@app/jobs';
import type { ActiveCredential } from '../evaluation/screening';
import { ExpiryWarningsRepository } from './expiry-warnings.repository';

/** Which active deployments a run covers. */
export type RunScope = { kind: 'sweep' } | { kind: 'incident'; incidentId: string } | { kind: 'status_list'; listUrl: string };

export function scopeOf(run: JobRun): RunScope {
  if (run.kind === 'incident' && run.incidentId) return { kind: 'incident', incidentId: run.incidentId };
  if (run.kind === 'status_list' && typeof run.scope.listUrl === 'string') return { kind: 'status_list', listUrl: run.scope.listUrl };
  return { kind: 'sweep' };
}

/** Below every uuid: where a run that has checked nothing yet starts. */
export const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/**
 * Reads active deployments and their credentials' stored facts a block at a time, in deployment id order, with
 * whether each was already warned about as expiring.
 */
@Injectable()
export class ActiveCredentialsReader {
  constructor(
    private readonly deployed: DeployedCredentialsRepository,
    private readonly warnings: ExpiryWarningsRepository,
  ) {}

  count(scope: RunScope): Promise<number> {
    return this.deployed.countActive(filterOf(scope));
  }

  /** The next block after `afterDeploymentId` (exclusive). */
  async block(scope: RunScope, afterDeploymentId: string, limit: number): Promise<ActiveCredential[]> {
    const block = await this.deployed.activeAfter(filterOf(scope), afterDeploymentId, limit);
    const warned = await this.warnings.warnedAmong(block.map((d) => d.deploymentId));
    return block.map((d) => toActiveCredential(d, warned.has(d.deploymentId)));
  }

  /** The stored JWS of one credential (only for the few the engine re-checks). */
  jws(credentialId: string): Promise<string | null> {
    return this.deployed.credentialJws(credentialId);
  }

  /** Every status list an active deployment's credential refers to. */
  listsInUse(): Promise<string[]> {
    return this.deployed.statusListsInUse();
  }
}

function filterOf(scope: RunScope): DeployedCredentialFilter {
  return scope.kind === 'sweep' ? { kind: 'all' } : scope;
}

function toActiveCredential(d: DeployedCredential, expiryWarned: boolean): ActiveCredential {
  return {
    deploymentId: d.deploymentId,
    incidentId: d.incidentId,
    responderId: d.responderId,
    credentialId: d.credentialId,
    currentFlag: d.credentialFlag,
    issuerId: d.issuerId,
    format: d.format,
    qualification: d.qualification,
    validUntil: d.validUntil,
    statusEntries: d.statusEntries.filter((e) => typeof e?.listUrl === 'string' && Number.isInteger(e.index)),
    keyThumbprint: d.keyThumbprint,
    jurisdiction: d.jurisdiction,
    mutualAidJurisdictions: d.mutualAidJurisdictions,
    expiryWarned,
  };
}
