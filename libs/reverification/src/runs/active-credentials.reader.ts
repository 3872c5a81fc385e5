import { Injectable } from '@nestjs/common';
import { DeployedCredentialsRepository, type DeployedCredential, type DeployedCredentialFilter } from '@app/incidents';
import type { JobRun } from '@app/jobs';
import { PracticeAuthorityCache, type IncidentPracticeRules } from '@app/practice-authority';
import type { ActiveCredential } from '../evaluation/screening';
import { ExpiryWarningsRepository } from './expiry-warnings.repository';

/** Which active deployments a run covers. */
export type RunScope =
  | { kind: 'sweep' }
  | { kind: 'incident'; incidentId: string }
  | { kind: 'status_list'; listUrl: string }
  // One shard of a sweep split across workers.
  | { kind: 'sweep_shard'; after: string; upTo: string }
  // Licences checked at a primary source (libs/primary-source re-looks them up and acts on board notices).
  | { kind: 'primary_source' }
  | { kind: 'licence_subject'; subjectId: string };

export function scopeOf(run: JobRun): RunScope {
  if (run.kind === 'incident' && run.incidentId) return { kind: 'incident', incidentId: run.incidentId };
  if (run.kind === 'status_list' && typeof run.scope.listUrl === 'string') return { kind: 'status_list', listUrl: run.scope.listUrl };
  if (run.kind === 'sweep_shard' && typeof run.scope.after === 'string' && typeof run.scope.upTo === 'string')
    return { kind: 'sweep_shard', after: run.scope.after, upTo: run.scope.upTo };
  if (run.kind === 'sweep_shard') throw new Error(`shard ${run.id} has no id range`);
  return { kind: 'sweep' };
}

/** Below every uuid: where a run that has checked nothing yet starts. */
export const FIRST_ID = '00000000-0000-0000-0000-000000000000';
export const LAST_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * `count` id ranges of equal width that cover every uuid (ids are random, gen_random_uuid(), so the deployments
 * spread evenly over them).
 */
export function shardRanges(count: number): Array<{ after: string; upTo: string }> {
  const bounds = [FIRST_ID];
  for (let i = 1; i < count; i++) {
    const head = Math.floor((i * 2 ** 32) / count)
      .toString(16)
      .padStart(8, '0');
    bounds.push(`${head}-0000-0000-0000-000000000000`);
  }
  bounds.push(LAST_ID);
  return bounds.slice(0, -1).map((after, i) => ({ after, upTo: bounds[i + 1] }));
}

/**
 * Reads active deployments and their credentials' stored facts a block at a time, in deployment id order, with
 * whether each was already warned about as expiring.
 */
@Injectable()
export class ActiveCredentialsReader {
  constructor(
    private readonly deployed: DeployedCredentialsRepository,
    private readonly warnings: ExpiryWarningsRepository,
    private readonly practice: PracticeAuthorityCache,
  ) {}

  count(scope: RunScope): Promise<number> {
    return this.deployed.countActive(filterOf(scope));
  }

  /** The next block after `afterDeploymentId` (exclusive). */
  async block(scope: RunScope, afterDeploymentId: string, limit: number): Promise<ActiveCredential[]> {
    const block = await this.deployed.activeAfter(filterOf(scope), afterDeploymentId, limit);
    const warned = await this.warnings.warnedAmong(block.map((d) => d.deploymentId));
    // The practice rules in force per incident state: the version number is checked, the rules re-read only when new.
    const rules = new Map<string, IncidentPracticeRules>();
    for (const state of new Set(block.map((d) => d.jurisdiction))) rules.set(state, await this.practice.forState(state, 0));
    const now = new Date();
    return block.map((d) => toActiveCredential(d, warned.has(d.deploymentId), rules.get(d.jurisdiction)!, now));
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
  if (scope.kind === 'sweep') return { kind: 'all' };
  if (scope.kind === 'sweep_shard') return { kind: 'id_range', after: scope.after, upTo: scope.upTo };
  return scope;
}

function toActiveCredential(d: DeployedCredential, expiryWarned: boolean, rules: IncidentPracticeRules, now: Date): ActiveCredential {
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
    // Issuer trust accepts the boards the rules admit now, and the board of a deployment admitted on a rule: whether that
    // rule still holds is the practice check's to say (mission_ended, ...), not an issuer-trust failure.
    mutualAidJurisdictions: [...new Set([...d.mutualAidJurisdictions, ...rules.homeStatesWithRules(now), ...(admittedOnRule(d) ? d.practice.homeStates : [])])],
    expiryWarned,
    practice: { ...d.practice, incidentMutualAid: d.mutualAidJurisdictions, rules },
  };
}

function admittedOnRule(d: DeployedCredential): boolean {
  const kind = d.practice.admittedOn?.basis?.kind;
  return kind === 'emac_mission' || kind === 'emergency_order' || kind === 'compact';
}
