import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '@app/config';

/** HMAC-SHA256 (hex) of `value` under `key`: what a matching identifier is kept as (docs/security.md, "Matching key"). */
export function matchingHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/**
 * Identifiers kept only to match the same person again (a credential subject's id, a licence number) are stored as
 * their keyed hash: equal inputs give equal hashes under the one matching key, and the stored value alone names
 * nobody. The key is apart from the key-encryption key, so rotating that leaves every hash valid.
 */
@Injectable()
export class MatchingHash {
  private readonly key: Buffer;

  constructor(@Inject(AppConfig) config: AppConfig) {
    this.key = config.matching.hashKey;
  }

  of(value: string): string {
    return matchingHash(this.key, value);
  }

  /** `of(value)`, or null when there is no value. */
  ofOptional(value: string | null | undefined): string | null {
    return value === null || value === undefined ? null : this.of(value);
  }
}
