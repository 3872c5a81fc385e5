import { Injectable } from '@nestjs/common';
import { SignInEvents, type Principal } from '@app/auth';
import { Database } from '@app/db';
import { AuditTrail } from '../audit-trail';

/**
 * Sign-ins into the `system` chain: auth.sign_in (who, role, IP) and auth.sign_in_failed (the e-mail that was tried
 * and the IP; never the password). Provided in place of auth's no-op SignInEvents by AuditApiModule.
 */
@Injectable()
export class AuditSignInEvents extends SignInEvents {
  constructor(
    private readonly database: Database,
    private readonly trail: AuditTrail,
  ) {
    super();
  }

  override async succeeded(principal: Principal, ip: string): Promise<void> {
    await this.database.transaction((tx) =>
      this.trail.record(tx, {
        actor: { kind: 'user', userId: principal.userId, role: principal.role, email: principal.email, ip },
        action: 'auth.sign_in',
        target: { type: 'user', id: principal.userId },
        payload: {},
      }),
    );
  }

  override async failed(email: string, ip: string): Promise<void> {
    await this.database.transaction((tx) =>
      this.trail.record(tx, {
        actor: { kind: 'anonymous', email: email.toLowerCase().slice(0, 254), ip },
        action: 'auth.sign_in_failed',
        payload: { reason: 'invalid_credentials' },
      }),
    );
  }
}
