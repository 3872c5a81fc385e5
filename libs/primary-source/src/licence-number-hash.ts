import { createHmac } from 'node:crypto';

/** A licence number as boards compare them: upper case, without spaces or dashes ("rn 987-6543" is RN9876543). */
export function normaliseLicenceNumber(number: string): string {
  return number.replace(/[\s-]/g, '').toUpperCase();
}

/** `licence_number_hash`: HMAC-SHA256 (hex) of the normalised number under the server's key. Only for matching. */
export function licenceNumberHash(key: Buffer, number: string): string {
  return createHmac('sha256', key).update(normaliseLicenceNumber(number)).digest('hex');
}

/**
 * The subject id a licence checked at its primary source stands for (one person across check-ins and sources):
 * the state, the profession and the licence number's hash, never the number.
 */
export function licenceSubjectId(state: string, profession: string, hash: string): string {
  return `urn:licence:${state}:${profession}:${hash}`;
}
