import { Module } from '@nestjs/common';
import { LiveBroadcaster } from './fanout/live-broadcaster';
import { LivePublisher } from './fanout/live-publisher';
import { LiveRedisLink } from './fanout/live-redis-link';
import { OutboxRelay } from './relay/outbox-relay';
import { OutboxRelayRepository } from './relay/outbox-relay.repository';

/**
 * Publishing live events, for every process: the outbox relay (LIVE_RELAY_ENABLED) and LiveBroadcaster for
 * ephemeral events, both through the Redis fan-out. The worker imports this one.
 */
@Module({
  providers: [LiveRedisLink, LivePublisher, LiveBroadcaster, OutboxRelayRepository, OutboxRelay],
  exports: [LiveRedisLink, LivePublisher, LiveBroadcaster, OutboxRelay],
})
export class LiveEmitterModule {}
