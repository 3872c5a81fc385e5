import { Module } from '@nestjs/common';
import { TokensModule } from '@app/auth';
import { LiveBroadcaster } from './fanout/live-broadcaster';
import { LivePublisher } from './fanout/live-publisher';
import { LiveRedisLink } from './fanout/live-redis-link';
import { LiveBoardReader } from './gateway/live-board.reader';
import { LiveBoardRepository } from './gateway/live-board.repository';
import { LiveGateway } from './gateway/live.gateway';
import { Outbox } from './outbox';
import { OutboxRepository } from './outbox.repository';
import { OutboxRelay } from './relay/outbox-relay';
import { OutboxRelayRepository } from './relay/outbox-relay.repository';

/** Board events written in the writer's transaction, for the libraries that change what the board shows. */
@Module({ providers: [OutboxRepository, Outbox], exports: [Outbox] })
export class OutboxModule {}

/**
 * Publishing live events, for every process: the outbox relay (LIVE_RELAY_ENABLED) and LiveBroadcaster for
 * ephemeral events, both through the Redis fan-out. The worker imports this one.
 */
@Module({ providers: [LiveRedisLink, LivePublisher, LiveBroadcaster, OutboxRelayRepository, OutboxRelay], exports: [LiveRedisLink, LivePublisher, LiveBroadcaster, OutboxRelay] })
export class LiveEmitterModule {}

/** The api's live board: the `/live` socket.io gateway (auth, subscribe, snapshot, resync) plus LiveEmitterModule. */
@Module({ imports: [TokensModule, LiveEmitterModule], providers: [LiveBoardRepository, LiveBoardReader, LiveGateway] })
export class LiveBoardModule {}
