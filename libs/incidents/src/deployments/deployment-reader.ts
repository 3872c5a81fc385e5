import { Injectable } from '@nestjs/common';
import { notFound } from '@app/common';
import type { CombinedStatement, SqlScope, StatementPart } from '@app/db';
import type { DeploymentDetails, DeploymentTimelineRecord } from './deployment';
import { hoursBetween, type DeploymentView } from './deployment.view';
import { DeploymentsRepository, type OnScenePerson } from './deployments.repository';

export type { OnScenePerson };

/** Reads deployments as the API and the board show them. `scope`: a transaction to read in (the pool by default). */
@Injectable()
export class DeploymentReader {
  constructor(private readonly deployments: DeploymentsRepository) {}

  /** Not found unless it exists (at `incidentId`, when given). */
  async get(deploymentId: string, incidentId?: string, scope?: SqlScope): Promise<DeploymentView> {
    const found = await this.deployments.details(deploymentId, scope);
    if (!found || (incidentId && found.incidentId !== incidentId)) throw notFound('Deployment', deploymentId);
    return toView(found, new Date());
  }

  lastCheckOut(responderId: string, incidentId: string): Promise<Date | null> {
    return this.deployments.lastCheckOut(responderId, incidentId);
  }

  async list(incidentId: string, opts: { activeOnly: boolean; responderIds?: readonly string[] }, scope?: SqlScope): Promise<DeploymentView[]> {
    const found = await this.deployments.listDetails(incidentId, opts, scope);
    const now = new Date();
    return found.map((d) => toView(d, now));
  }

  /** Who is on scene, in one assignment or at the whole incident (null): the few fields a roll call keeps. */
  onScene(incidentId: string, assignment: string | null, scope?: SqlScope): Promise<OnScenePerson[]> {
    return this.deployments.onScene(incidentId, assignment, scope);
  }

  /** Who is on scene, as a part of the caller's combined statement (columns deployment_id, responder_id, name, assignment). */
  onSceneTo(statement: CombinedStatement, incidentId: string, assignment: string | null): StatementPart {
    return this.deployments.onScenePart(statement, incidentId, assignment);
  }

  /** Every deployment at the incident (of these responders only, when given) with its status history, for time records. */
  timelines(incidentId: string, scope?: SqlScope, responderIds?: readonly string[]): Promise<DeploymentTimelineRecord[]> {
    return this.deployments.timelines(incidentId, scope, responderIds);
  }

  /** The responders an agency deployed at the incident (null: no agency recorded), with their names. */
  respondersOfAgency(incidentId: string, agency: string | null, scope?: SqlScope): Promise<Array<{ responderId: string; name: string }>> {
    return this.deployments.respondersOfAgency(incidentId, agency, scope);
  }
}

function toView(d: DeploymentDetails, now: Date): DeploymentView {
  return {
    id: d.id,
    incidentId: d.incidentId,
    responder: d.responder,
    credential: { ...d.credential, validUntil: d.credential.validUntil?.toISOString() ?? null },
    position: d.position,
    location: d.location,
    decision: d.decision,
    status: d.status,
    statusReason: d.statusReason,
    assignment: d.assignment,
    credentialFlag: d.credentialFlag,
    ics211: d.ics211,
    practiceAuthority: d.practiceAuthority,
    checkedInAt: d.checkedInAt.toISOString(),
    checkedOutAt: d.checkedOutAt?.toISOString() ?? null,
    walkUp: d.walkUp,
    hoursOnScene: hoursBetween(d.checkedInAt, d.checkedOutAt ?? now),
  };
}
