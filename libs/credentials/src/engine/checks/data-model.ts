import { checkPresentationClaims } from '../../model/credential-format';
import { validateCredential, validatePresentation } from '../../model/data-model';
import { VERIFICATION_LIMITS } from '../../limits';
import { oneOrMany, type JsonRecord } from '../../util/json';
import type { VerificationCheck } from '../../verification-result';
import type { CheckBoard } from '../check-board';

/** A credential's data model: what extracting it found wrong, then the VC Data Model rules of its version. */
export function checkCredentialModel(board: CheckBoard, credential: JsonRecord, version: '2.0' | '1.1', found: string[] = []): void {
  const problems = validateCredential(credential, version);
  board.set(modelCheck(found.length > 0 ? [...found, ...problems] : problems, `The credential conforms to the VC Data Model ${version}.`));
}

export interface PresentationModel {
  holder?: string;
  /** The enclosed credentials, at most as many as are read. */
  entries: unknown[];
  problems: string[];
}

/** A presentation's own claims and data model, and the credentials it encloses (beyond the limit is a problem). */
export function readPresentation(vp: JsonRecord, version: '2.0' | '1.1' = '2.0'): PresentationModel {
  const { holder, problems } = checkPresentationClaims(vp);
  const max = VERIFICATION_LIMITS.credentialsPerPresentation;
  const all = [...problems, ...validatePresentation(vp, version)];
  const entries = oneOrMany(vp.verifiableCredential);
  if (entries.length > max) all.push(`A presentation may carry at most ${max} credentials.`);
  return { holder, entries: entries.slice(0, max), problems: all };
}

export function modelCheck(problems: string[], passMessage: string): VerificationCheck {
  return problems.length > 0
    ? { id: 'data_model', status: 'fail', code: 'data_model_invalid', message: joinProblems(problems) }
    : { id: 'data_model', status: 'pass', code: 'ok', message: passMessage };
}

function joinProblems(problems: string[]): string {
  const shown = problems.slice(0, 5).join(' ');
  return problems.length > 5 ? `${shown} (and ${problems.length - 5} more)` : shown;
}
