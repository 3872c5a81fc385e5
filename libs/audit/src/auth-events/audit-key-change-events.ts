import { Global, Injectable, Module } from '@nestjs/common';
import { KeyChangeEvents, type KeyChangeActor, type KeyRotation } from '@app/auth';
import type { Transaction } from '@app/db';
import { AuditTrail } from '../audit-trail';
import { AuditTrailModule } from '../audit-trail.module';
import type { AuditActor } from '../audit.types';

/** signing_key.rotated in the `system` chain, in the transaction that rotates: the new kid, its activation, the windows of the keys it replaces. */
@Injectable()
export class AuditKeyChangeEvents extends KeyChangeEvents {
  constructor(private readonly trail: AuditTrail) {
    super();
  }

  override async rotated(tx: Transaction, actor: KeyChangeActor, rotation: KeyRotation): Promise<void> {
    await this.trail.record(tx, {
      actor: toActor(actor),
      action: 'signing_key.rotated',
      target: { type: 'signing_key', id: rotation.kid },
      payload: {
        purpose: rotation.purpose,
        kid: rotation.kid,
        activatesAt: rotation.activatesAt.toISOString(),
        replaced: rotation.replaced.map((k) => ({ kid: k.kid, retiresAt: k.retiresAt.toISOString(), verifiesUntil: k.verifiesUntil?.toISOString() ?? null })),
      },
    });
  }
}

const toActor = (actor: KeyChangeActor): AuditActor =>
  'cli' in actor
    ? { kind: 'system', process: 'cli' }
    : { kind: 'user', userId: actor.principal.userId, role: actor.principal.role, email: actor.principal.email, ip: actor.ip };

/**
 * Records key rotations wherever they happen (the api's admin action, the CLI). Global so that auth's KeyChangeEvents
 * hook resolves to it (auth cannot import this library).
 */
@Global()
@Module({ imports: [AuditTrailModule], providers: [{ provide: KeyChangeEvents, useClass: AuditKeyChangeEvents }], exports: [KeyChangeEvents] })
export class AuditKeyEventsModule {}
