import { Injectable } from '@nestjs/common';
import type { Transaction } from '@app/db';
import type { Principal } from '../roles';
import type { UserView } from './dto/user.dto';

/** Who changed a user: the signed-in admin and where the request came from. */
export interface UserChangeActor {
  principal: Principal;
  ip?: string;
}

/**
 * Hook for recording user and role changes, called inside the transaction that makes the change (the audit trail
 * provides the implementation; auth must not depend on the audit library). The default records nothing.
 */
@Injectable()
export class UserChangeEvents {
  async created(_tx: Transaction, _actor: UserChangeActor, _user: UserView): Promise<void> {}
  async updated(_tx: Transaction, _actor: UserChangeActor, _change: { before: UserView; after: UserView; passwordChanged: boolean }): Promise<void> {}
}
