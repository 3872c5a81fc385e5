import { normalisedIso, parseInstant, toIso, ZONE_OPTIONAL } from '../../model/instants';
import type { JsonRecord } from '../../util/json';
import type { VerificationCheck } from '../../verification-result';

/** validFrom/validUntil (or issuanceDate/expirationDate) and the JWT's own nbf/exp, with the configured skew. */
export class ValidityCheck {
  constructor(readonly skewMs: number) {}

  check(doc: JsonRecord, claims: JsonRecord, version: '2.0' | '1.1', now: Date, what: 'credential' | 'presentation'): VerificationCheck {
    const t = now.getTime();
    const fromText = version === '1.1' ? doc.issuanceDate : doc.validFrom;
    const untilText = version === '1.1' ? doc.expirationDate : doc.validUntil;
    const zone = version === '1.1' ? ZONE_OPTIONAL : undefined;
    const from = fromText === undefined ? undefined : parseInstant(fromText, zone);
    const until = untilText === undefined ? undefined : parseInstant(untilText, zone);
    if ((fromText !== undefined && from === undefined) || (untilText !== undefined && until === undefined)) {
      return { id: 'validity', status: 'fail', code: 'data_model_invalid', message: `The ${what}'s validity dates cannot be read.` };
    }
    const nbf = typeof claims.nbf === 'number' ? claims.nbf * 1000 : undefined;
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
    const notBefore = Math.max(from ?? -Infinity, nbf ?? -Infinity);
    const notAfter = Math.min(until ?? Infinity, exp ?? Infinity);
    if (Number.isFinite(notBefore) && t + this.skewMs < notBefore) {
      return { id: 'validity', status: 'fail', code: 'not_yet_valid', message: `The ${what} is not valid before ${toIso(notBefore)}.` };
    }
    if (Number.isFinite(notAfter) && t - this.skewMs >= notAfter) {
      return { id: 'validity', status: 'fail', code: 'expired', message: `The ${what} expired on ${toIso(notAfter)}.` };
    }
    const range = Number.isFinite(notAfter) ? `until ${notAfter === until ? normalisedIso(untilText, notAfter) : toIso(notAfter)}` : 'with no expiry date';
    return { id: 'validity', status: 'pass', code: 'ok', message: `Valid ${range}.` };
  }
}
