import { Module } from '@nestjs/common';
import { TokensModule } from '@app/auth';
import { LiveBoardReader } from './gateway/live-board.reader';
import { LiveBoardRepository } from './gateway/live-board.repository';
import { LiveGateway } from './gateway/live.gateway';
import { LiveEmitterModule } from './live-emitter.module';

/** The api's live board: the `/live` socket.io gateway (auth, subscribe, snapshot, resync) plus LiveEmitterModule. */
@Module({ imports: [TokensModule, LiveEmitterModule], providers: [LiveBoardRepository, LiveBoardReader, LiveGateway] })
export class LiveBoardModule {}
