import { Injectable } from '@nestjs/common';
import type { SqlScope } from '@app/db';
import { DemobRepository } from './demob.repository';

/** The ICS 221 ETA home of released responders: where time records end their travel home. */
@Injectable()
export class TravelHome {
  constructor(private readonly demob: DemobRepository) {}

  /** The ETA home per deployment, for those of these deployments whose travel was recorded. */
  etas(deploymentIds: readonly string[], scope?: SqlScope): Promise<Map<string, Date>> {
    return this.demob.etasHome(deploymentIds, scope);
  }
}
