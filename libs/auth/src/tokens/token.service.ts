import { Inject, Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { SignJWT, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { AppConfig } from '@app/config';
import { DomainError } from '@app/common';
import { isRole, type Principal } from '../roles';
import { UserAccessState } from '../access/user-access-state';
import { ServerKeysService } from './server-keys.service';

export const TOKEN_ISSUER = 'responder-checkin';
export const TOKEN_AUDIENCE = 'responder-checkin-api';
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export interface TokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  /** The user must choose a new password (POST /auth/password) before anything else. */
  passwordChangeRequired: boolean;
}

/** A token whose signature was checked: its claims, its key, and until when they are reused without checking again. */
interface VerifiedToken {
  principal: Principal;
  version: number;
  kid: string;
  until: number;
}

const invalid = (): DomainError => new DomainError('unauthenticated', 'The access token is missing, invalid or expired.');

/**
 * Short-lived EdDSA access tokens; the same verification serves HTTP, the websocket and the queue dashboard. A token
 * names the user's token version: deactivating the user or changing their role, jurisdictions or password moves
 * the version on, and every token issued before stops working (UserAccessState, within seconds in every process).
 */
@Injectable()
export class TokenService {
  constructor(
    private readonly keys: ServerKeysService,
    private readonly users: UserAccessState,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async issue(principal: Principal, user: { tokenVersion: number; mustChangePassword: boolean }): Promise<TokenResponse> {
    const { kid, key } = await this.keys.signingKey('access_token');
    const ttl = this.config.auth.accessTokenTtlSeconds;
    const accessToken = await new SignJWT({
      email: principal.email,
      name: principal.displayName,
      role: principal.role,
      jurisdictions: principal.jurisdictions,
      ver: user.tokenVersion,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setSubject(principal.userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(key);
    return { accessToken, tokenType: 'Bearer', expiresIn: ttl, passwordChangeRequired: user.mustChangePassword };
  }

  /**
   * The principal of a valid token whose user is active and still at the token's version, or an `unauthenticated`
   * error (never saying why beyond that). A user who must change their password gets `password_change_required`
   * unless the caller is the password change itself (`allowPasswordChange`).
   */
  async verify(token: string, options: { allowPasswordChange?: boolean } = {}): Promise<Principal> {
    const { principal, version } = await this.verifySignature(token);
    const access = await this.users.get(principal.userId);
    if (!access?.active || access.tokenVersion !== version) throw invalid();
    if (access.mustChangePassword && !options.allowPasswordChange) {
      throw new DomainError('password_change_required', 'Choose a new password first (POST /auth/password): the one you signed in with was temporary.');
    }
    return principal;
  }

  /**
   * A scanner sends the same token with every scan: its signature is checked once, then the verified claims are
   * reused until the token expires, for at most a minute, and no longer than its key verifies. Bounded: the oldest
   * entries go first. (Whether the user may still use it is checked on every call, in verify.)
   */
  private readonly verified = new Map<string, VerifiedToken>();

  private async verifySignature(token: string): Promise<{ principal: Principal; version: number }> {
    if (token.length > 4096) throw invalid();
    const now = Date.now();
    const known = this.verified.get(token);
    // A key's window may have been shortened (a rotation) since the token was cached: the key still verifying is
    // asked again, from the key table (re-read when older than 10 s), not remembered.
    if (known && known.until > now && (await this.keys.tokenVerificationKey(known.kid))) return known;
    let payload: JWTPayload;
    let validUntil: number;
    let kid: string;
    try {
      const header = decodeProtectedHeader(token);
      if (typeof header.kid !== 'string') throw invalid();
      kid = header.kid;
      const found = await this.keys.tokenVerificationKey(kid);
      if (!found) throw invalid();
      validUntil = found.validUntil;
      ({ payload } = await jwtVerify(token, found.key, {
        algorithms: ['EdDSA'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp', 'ver'],
      }));
    } catch {
      throw invalid();
    }
    if (!isRole(payload.role) || typeof payload.sub !== 'string' || !isUUID(payload.sub) || typeof payload.ver !== 'number') throw invalid();
    const entry = {
      principal: {
        userId: payload.sub,
        email: String(payload.email ?? ''),
        displayName: String(payload.name ?? ''),
        role: payload.role,
        jurisdictions: Array.isArray(payload.jurisdictions) ? payload.jurisdictions.map(String) : [],
      },
      version: payload.ver,
      kid,
      until: Math.min((payload.exp ?? 0) * 1000, now + VERIFIED_TOKEN_TTL_MS, validUntil),
    };
    this.remember(token, entry);
    return entry;
  }

  private remember(token: string, entry: VerifiedToken): void {
    if (this.verified.size >= VERIFIED_TOKEN_CACHE_SIZE) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, entry);
  }
}
