import { Injectable } from '@nestjs/common';
import type { VerificationResult } from '@app/credentials';
import type { SqlScope } from '@app/db';
import { ResponderRepository } from './responders.repository';
import type { VerificationKind } from './verification';

/**
 * Who a credential belongs to, for other libraries. Only credentials that establish identity are recorded
 * (establishesIdentity); a check-in records its presentation with the rest of its write (CheckInRepository), a
 * reverification records its outcome on the credential already kept, here.
 */
@Injectable()
export class ResponderRegistry {
  constructor(private readonly responders: ResponderRepository) {}

  /** Records a verification of a kept credential in `tx`; returns its id. */
  recordVerification(
    tx: Pick<SqlScope, 'query'>,
    credentialId: string,
    incidentId: string | null,
    kind: VerificationKind,
    result: VerificationResult,
    at: Date,
  ): Promise<string> {
    return this.responders.recordVerification(tx, credentialId, incidentId, kind, result, at);
  }
}
