import { Injectable } from '@nestjs/common';
import { Clock } from '@app/common';
import type { LiveEphemeralMap, LiveEphemeralName } from '../live-protocol';
import { LivePublisher } from './live-publisher';

/**
 * Ephemeral live events (progress bars, "working on it"): sent at once to the incident's subscribers on every api
 * process, without a sequence number, without storage, without retry. Anything a board must not miss goes through
 * `Outbox.append` in the transaction of the change instead.
 */
@Injectable()
export class LiveBroadcaster {
  constructor(
    private readonly publisher: LivePublisher,
    private readonly clock: Clock,
  ) {}

  /** Returns false (and drops the event) while Redis is unreachable. */
  ephemeral<N extends LiveEphemeralName>(incidentId: string, name: N, payload: LiveEphemeralMap[N]): boolean {
    if (!this.publisher.canPublish) return false;
    this.publisher.publish({ incidentId, name, payload, at: this.clock.now().toISOString() });
    return true;
  }
}
