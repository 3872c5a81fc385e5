import { matchingHash } from '@app/common';

/** A licence number as boards compare them: upper case, without spaces or dashes ("rn 987-6543" is RN9876543). */
export function normaliseLicenceNumber(number: string): string {
  return number.replace(/[\s-]/g, '').toUpperCase();
}

/** `licence_number_hash`: the matching hash (MATCHING_HASH_KEY) of the normalised number. Only for matching. */
export function licenceNumberHash(key: Buffer, number: string): string {
  return matchingHash(key, normaliseLicenceNumber(number));
}

/**
 * The subject id a licence checked at its primary source stands for (one person across check-ins and sources):
 * the state, the profession and the licence number's hash, never the number.
 */
export function licenceSubjectId(state: string, profession: string, hash: string): string {
  return `urn:licence:${state}:${profession}:${hash}`;
}
