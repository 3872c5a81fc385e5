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

  forIncident(incidentId: string, scope?: SqlScope): Promise<WorkNote[]> {
    return this.entries.aboutPeople(incidentId, scope);
  }
}
