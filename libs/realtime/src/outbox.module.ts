import { Module } from '@nestjs/common';
import { Outbox } from './outbox';
import { OutboxRepository } from './outbox.repository';

/** Board events written in the writer's transaction, for the libraries that change what the board shows. */
@Module({ providers: [OutboxRepository, Outbox], exports: [Outbox] })
export class OutboxModule {}
