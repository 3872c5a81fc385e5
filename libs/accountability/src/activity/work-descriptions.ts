import { Injectable } from '@nestjs/common';
import type { SqlScope } from '@app/db';
import { ActivityLogRepository } from './activity-log.repository';

/** What a person's ICS 214 entry says they did, and when. */
export interface WorkNote {
  deploymentId: string;
  text: string;
  occurredAt: Date;
}

/** The ICS 214 entries written about people, for the work description of their time records. */
@Injectable()
export class WorkDescriptions {
  constructor(private readonly entries: ActivityLogRepository) {}

  /** Every note about people at the incident, or about these deployments only. */
  forIncident(incidentId: string, scope?: SqlScope, deploymentIds?: readonly string[]): Promise<WorkNote[]> {
    return this.entries.aboutPeople(incidentId, scope, deploymentIds);
  }
}
