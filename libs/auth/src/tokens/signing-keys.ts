import { Injectable } from '@nestjs/common';
import type { Transaction } from '@app/db';
import type { Principal } from '../roles';
import type { KeyPurpose } from './server-keys.repository';

/** Every key the server signs with: its own three, and the deployment-records issuer key (@app/deployment-records). */
export type SigningKeyPurpose = KeyPurpose | 'deployment_record';
export const SIGNING_KEY_PURPOSES: readonly SigningKeyPurpose[] = ['access_token', 'audit_checkpoint', 'incident_pack', 'deployment_record'];

/**
 * How long a rotated key is published before it signs, by default: longer than the key documents' cache lifetimes
 * (DID document max-age 300 s, verifiers' default caches), so no verifier meets a kid its cached key set lacks.
 */
export const DEFAULT_KEY_ACTIVATION_SECONDS = 600;
/** How long an incident-pack key keeps verifying after it stops signing, by default: a station may hold a pack that long offline. */
export const DEFAULT_PACK_KEY_OVERLAP_SECONDS = 30 * 24 * 3600;

/**
 * - announced: published, signs from `activatesAt`;
 * - active: signs now;
 * - verifying: no longer signs, still verifies what it signed (until `verifiesUntil`, or for good);
 * - retired: verifies nothing any more.
 */
export type SigningKeyState = 'announced' | 'active' | 'verifying' | 'retired';

export interface SigningKeyView {
  purpose: SigningKeyPurpose;
  kid: string;
  state: SigningKeyState;
  /** `environment`: set by the operator, rotated by setting a new key and restarting. */
  source: 'generated' | 'environment';
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
  verifiesUntil: Date | null;
}

export interface KeyRotation {
  purpose: SigningKeyPurpose;
  kid: string;
  activatesAt: Date;
  /** The keys it replaces: they sign until `retiresAt` (its activation) and verify until `verifiesUntil` (null: for good). */
  replaced: { kid: string; retiresAt: Date; verifiesUntil: Date | null }[];
}

/**
 * A family of signing keys kept by another library (the deployment-records issuer key), rotated through the same
 * action so that every key rotates one way. Registered with ServerKeysService.registerExternal.
 */
export interface ExternalSigningKeys {
  purpose: Exclude<SigningKeyPurpose, KeyPurpose>;
  list(): Promise<SigningKeyView[]>;
  /** Generates the next key in `tx` (which holds no other lock), signing from `activatesAt`. */
  rotate(tx: Transaction, activatesAt: Date): Promise<Omit<KeyRotation, 'purpose' | 'activatesAt'>>;
}

/** Who rotated: an admin over HTTP, or an operator at the command line. */
export type KeyChangeActor = { principal: Principal; ip?: string } | { cli: true };

/**
 * Hook for recording key rotations, called inside the transaction that rotates (the audit trail provides the
 * implementation; auth must not depend on the audit library). The default records nothing.
 */
@Injectable()
export class KeyChangeEvents {
  async rotated(_tx: Transaction, _actor: KeyChangeActor, _rotation: KeyRotation): Promise<void> {}
}
