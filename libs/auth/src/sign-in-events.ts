import { Injectable } from '@nestjs/common';
import type { Principal } from './roles';

/**
 * Hook for recording sign-ins (the audit trail subscribes by providing its own implementation of this class).
 * The default records nothing; auth must not depend on the audit library.
 */
@Injectable()
export class SignInEvents {
  async succeeded(_principal: Principal, _ip: string): Promise<void> {}
  async failed(_email: string, _ip: string): Promise<void> {}
}
