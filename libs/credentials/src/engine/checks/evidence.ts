import { hash } from 'node:crypto';
import { MAX_INPUT_BYTES } from '../../input/scan-input';
import type { VerificationEvidence, VerificationResult } from '../../verification-result';
import { CheckBoard } from '../check-board';

/** The evidence of one verification: the hash of exactly what was verified (or of the bounded input) and when. */
export function evidenceOf(input: unknown, now: Date, verified?: string): VerificationEvidence {
  const text = verified ?? boundedText(input);
  return { credentialHash: hash('sha256', text, 'hex'), status: [], verifiedAt: isoText(now) };
}

let lastMs = NaN;
let lastIso = '';

/** The instant as ISO text, formatted once per millisecond: verifications in the same millisecond share it. */
function isoText(now: Date): string {
  const ms = now.getTime();
  if (ms !== lastMs) {
    lastIso = now.toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/** The engine never throws: an unexpected error becomes a failed format check (the caller still gets a result). */
export function unprocessable(input: unknown, now: Date): VerificationResult {
  const board = new CheckBoard();
  board.fail('format', 'malformed', 'The credential could not be processed.');
  board.skipRest('The credential could not be processed.');
  return board.result(evidenceOf(input, now));
}

/** What to hash as evidence of an input that could not be read: bounded, and safe for any depth of nesting. */
function boundedText(input: unknown): string {
  if (typeof input === 'string') return input.slice(0, MAX_INPUT_BYTES);
  try {
    return (JSON.stringify(input ?? null) ?? '').slice(0, MAX_INPUT_BYTES);
  } catch {
    return `[unserialisable ${typeof input}]`;
  }
}
