import { Injectable } from '@nestjs/common';
import { UserChangeEvents, type UserChangeActor, type UserView } from '@app/auth';
import type { Transaction } from '@app/db';
import { AuditTrail } from '../audit-trail';
import type { AuditActor } from '../audit.types';

const TRACKED: ReadonlyArray<keyof UserView> = ['email', 'displayName', 'role', 'jurisdictions', 'active'];

/**
 * user.created and user.updated in the `system` chain, in the transaction that changes the user. An update records
 * each changed field with its value before and after (role changes included); a password change is recorded as the
 * fact only.
 */
@Injectable()
export class AuditUserChangeEvents extends UserChangeEvents {
  constructor(private readonly trail: AuditTrail) {
    super();
  }

  override async created(tx: Transaction, actor: UserChangeActor, user: UserView): Promise<void> {
    await this.trail.record(tx, {
      actor: toActor(actor),
      action: 'user.created',
      target: { type: 'user', id: user.id },
      payload: { email: user.email, displayName: user.displayName, role: user.role, jurisdictions: user.jurisdictions, active: user.active },
    });
  }

  override async updated(tx: Transaction, actor: UserChangeActor, change: { before: UserView; after: UserView; passwordChanged: boolean }): Promise<void> {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    for (const field of TRACKED) {
      if (JSON.stringify(change.before[field]) !== JSON.stringify(change.after[field])) {
        before[field] = change.before[field];
        after[field] = change.after[field];
      }
    }
    if (Object.keys(after).length === 0 && !change.passwordChanged) return; // nothing changed: nothing to record
    await this.trail.record(tx, {
      actor: toActor(actor),
      action: 'user.updated',
      target: { type: 'user', id: change.after.id },
      payload: { changed: Object.keys(after), before, after, passwordChanged: change.passwordChanged, roleChanged: 'role' in after },
    });
  }
}

const toActor = ({ principal, ip }: UserChangeActor): AuditActor => ({
  kind: 'user',
  userId: principal.userId,
  role: principal.role,
  email: principal.email,
  ip,
});
