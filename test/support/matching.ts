import { matchingHash } from '@app/common';
import { DEVELOPMENT_MATCHING_HASH_KEY } from '@app/config';

/** What `responder` keeps of a subject id or licence number under the test (development) matching key. */
export const matchingHashOf = (value: string): string => matchingHash(DEVELOPMENT_MATCHING_HASH_KEY, value);
