import {
  CHECK_IDS,
  type CheckId,
  type CredentialSummary,
  type ReasonCode,
  type VerificationCheck,
  type VerificationEvidence,
  type VerificationResult,
} from '../verification-result';

/** Collects the outcome of each check and builds the result in the documented order. */
export class CheckBoard {
  // One slot per check, all present from the start: one small object per verification instead of a growing Map.
  private readonly checks: Record<CheckId, VerificationCheck | undefined> = {
    format: undefined,
    signature: undefined,
    data_model: undefined,
    validity: undefined,
    status: undefined,
    issuer_trust: undefined,
  };

  pass(id: CheckId, message: string): void {
    this.checks[id] = { id, status: 'pass', code: 'ok', message };
  }

  fail(id: CheckId, code: ReasonCode, message: string): void {
    this.checks[id] = { id, status: 'fail', code, message };
  }

  indeterminate(id: CheckId, code: ReasonCode, message: string): void {
    this.checks[id] = { id, status: 'indeterminate', code, message };
  }

  skip(id: CheckId, message: string): void {
    this.checks[id] = { id, status: 'skipped', code: 'skipped', message };
  }

  set(check: VerificationCheck): void {
    this.checks[check.id] = check;
  }

  get(id: CheckId): VerificationCheck | undefined {
    return this.checks[id];
  }

  /** Everything not decided yet is reported as skipped with this reason (a fatal failure came first). */
  skipRest(message: string): void {
    for (const id of CHECK_IDS) if (!this.checks[id]) this.skip(id, message);
  }

  list(): VerificationCheck[] {
    return CHECK_IDS.map((id) => this.checks[id] ?? { id, status: 'skipped', code: 'skipped', message: 'Not checked.' });
  }

  result(evidence: VerificationEvidence, credential?: CredentialSummary, credentials?: VerificationResult[]): VerificationResult {
    const checks = this.list();
    const warnings: VerificationCheck[] = [];
    const errors: VerificationCheck[] = [];
    let verified = true;
    for (const check of checks) {
      if (check.status !== 'pass') verified = false;
      if (check.status === 'indeterminate') warnings.push(check);
      else if (check.status === 'fail') errors.push(check);
    }
    const result: VerificationResult = { verified, checks, warnings, errors, evidence };
    if (credential) result.credential = credential;
    if (credentials) result.credentials = credentials;
    return result;
  }
}

const SEVERITY = { pass: 0, skipped: 1, indeterminate: 2, fail: 3 } as const;

/** The worse of two outcomes of the same check (fail > indeterminate > skipped > pass). */
export function worse(a: VerificationCheck, b: VerificationCheck): VerificationCheck {
  return SEVERITY[b.status] > SEVERITY[a.status] ? b : a;
}
