import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, errors, importJWK, jwtVerify, SignJWT, type CryptoKey, type JWK } from 'jose';
import { ServerKeysService } from '@app/auth';
import { WalkUpsRepository, type StoredBadgeKey } from './walk-ups.repository';

/** The JWS `typ` of a temporary incident badge: how the station tells one from a credential. */
export const WALK_UP_BADGE_TYP = 'walk-up-badge+jwt';
/** How long a temporary badge is valid unless staff choose otherwise, and at most. */
export const BADGE_DEFAULT_HOURS = 24;
export const BADGE_MAX_HOURS = 72;

export type BadgeReading =
  | { ok: true; walkUpId: string; hash: string; expiresAt: string }
  | { ok: false; hash: string; code: 'walk_up_badge_invalid' | 'walk_up_badge_expired' | 'walk_up_badge_other_incident'; message: string };

interface IncidentBadgeKey {
  kid: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

/** Is this scan a temporary incident badge (whatever its signature)? */
export function isWalkUpBadge(scanned: string): boolean {
  const text = scanned.trim();
  if (text.split('.').length !== 3) return false;
  try {
    return decodeProtectedHeader(text).typ === WALK_UP_BADGE_TYP;
  } catch {
    return false;
  }
}

/**
 * Temporary incident badges for walk-up volunteers: a JWT signed with the incident's own Ed25519 key (generated on
 * first use, stored sealed under the server's key-encryption key, its public half published at
 * GET /incidents/:id/walk-up-badge-keys). A badge names its incident and walk-up record and expires within hours; it
 * verifies only at its own incident, so a badge from another incident, a forged one and an expired one are refused.
 */
@Injectable()
export class WalkUpBadges {
  private readonly keys = new Map<string, Promise<IncidentBadgeKey>>();

  constructor(
    private readonly repository: WalkUpsRepository,
    private readonly serverKeys: ServerKeysService,
  ) {}

  async issue(
    incidentId: string,
    walkUp: { id: string; name: string },
    validHours: number,
    now = new Date(),
  ): Promise<{ token: string; expiresAt: string; kid: string }> {
    const key = await this.keyFor(incidentId);
    const exp = Math.floor(now.getTime() / 1000) + Math.round(validHours * 3600);
    const token = await new SignJWT({ incident: incidentId, name: walkUp.name, kind: 'walk_up' })
      .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: WALK_UP_BADGE_TYP })
      .setIssuer(`urn:uuid:${incidentId}`)
      .setSubject(walkUp.id)
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(exp)
      .sign(key.privateKey);
    return { token, expiresAt: new Date(exp * 1000).toISOString(), kid: key.kid };
  }

  /** Reads a scanned badge at this incident: its walk-up record, or why it is refused. */
  async read(incidentId: string, scanned: string): Promise<BadgeReading> {
    const token = scanned.trim();
    const hash = createHash('sha256').update(token).digest('hex');
    let claimed: string | undefined;
    try {
      const incident = decodeJwt(token).incident;
      claimed = typeof incident === 'string' ? incident : undefined;
    } catch {
      return { ok: false, hash, code: 'walk_up_badge_invalid', message: 'This temporary badge cannot be read.' };
    }
    if (claimed !== incidentId) {
      return {
        ok: false,
        hash,
        code: 'walk_up_badge_other_incident',
        message: 'This temporary badge was issued for another incident; it is valid only there.',
      };
    }
    const key = await this.keyFor(incidentId);
    try {
      const { payload } = await jwtVerify(token, key.publicKey, {
        algorithms: ['EdDSA'],
        typ: WALK_UP_BADGE_TYP,
        issuer: `urn:uuid:${incidentId}`,
        requiredClaims: ['sub', 'exp'],
      });
      return { ok: true, walkUpId: payload.sub ?? '', hash, expiresAt: new Date((payload.exp ?? 0) * 1000).toISOString() };
    } catch (err) {
      // Only a genuine badge reports expiry: jose checks the signature before the dates.
      if (err instanceof errors.JWTExpired) {
        return {
          ok: false,
          hash,
          code: 'walk_up_badge_expired',
          message: 'This temporary badge has expired: check the volunteer in again at the walk-up desk.',
        };
      }
      return { ok: false, hash, code: 'walk_up_badge_invalid', message: 'This temporary badge was not signed by this incident.' };
    }
  }

  /** The incident's badge key as a JWKS (what a station needs to check badges itself). */
  async publicKeys(incidentId: string): Promise<{ keys: JWK[] }> {
    return { keys: [(await this.keyFor(incidentId)).publicJwk] };
  }

  private keyFor(incidentId: string): Promise<IncidentBadgeKey> {
    let key = this.keys.get(incidentId);
    if (!key) {
      key = this.load(incidentId);
      this.keys.set(incidentId, key);
      key.catch(() => this.keys.delete(incidentId));
    }
    return key;
  }

  private async load(incidentId: string): Promise<IncidentBadgeKey> {
    let stored = await this.repository.badgeKey(incidentId);
    if (!stored) {
      await this.repository.insertBadgeKey(incidentId, await this.generate(incidentId));
      stored = await this.repository.badgeKey(incidentId);
      if (!stored) throw new Error(`WalkUpBadges: no badge key stored for incident ${incidentId}`);
    }
    const opened = this.serverKeys.unsealSecret(sealContext(incidentId, stored.kid), stored.sealedPrivateKey);
    if (!opened) throw new Error(`the walk-up badge key ${stored.kid} does not open under this server's KEY_ENCRYPTION_KEY`);
    const privateJwk = JSON.parse(opened) as JWK;
    return {
      kid: stored.kid,
      publicJwk: stored.publicJwk,
      privateKey: (await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey,
      publicKey: (await importJWK({ ...stored.publicJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey,
    };
  }

  private async generate(incidentId: string): Promise<StoredBadgeKey> {
    const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint({ kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x });
    const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, kid, alg: 'EdDSA', use: 'sig' };
    return { kid, publicJwk, sealedPrivateKey: this.serverKeys.sealSecret(sealContext(incidentId, kid), JSON.stringify(privateJwk)) };
  }
}

const sealContext = (incidentId: string, kid: string): string => `walk_up_badge_key:${incidentId}:${kid}`;
