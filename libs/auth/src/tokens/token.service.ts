import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { AppConfig } from '@app/config';
import { DomainError } from '@app/common';
import { isRole, type Principal } from '../roles';
import { ServerKeys } from './server-keys.service';

export const TOKEN_ISSUER = 'responder-checkin';
export const TOKEN_AUDIENCE = 'responder-checkin-api';
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

/** Short-lived EdDSA access tokens; the same verification serves HTTP and the websocket handshake. */
@Injectable()
export class TokenService {
  constructor(
    private readonly keys: ServerKeys,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async issue(principal: Principal): Promise<{ accessToken: string; tokenType: 'Bearer'; expiresIn: number }> {
    const { kid, key } = this.keys.signingKey();
    const ttl = this.config.auth.accessTokenTtlSeconds;
    const accessToken = await new SignJWT({
      email: principal.email,
      name: principal.displayName,
      role: principal.role,
      jurisdictions: principal.jurisdictions,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
      .setSubject(principal.userId)
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(key);
    return { accessToken, tokenType: 'Bearer', expiresIn: ttl };
  }

  /** The principal in a valid token, or an `unauthenticated` error. Never says why a token failed beyond that. */
  async verify(token: string): Promise<Principal> {
    const invalid = () => new DomainError('unauthenticated', 'The access token is missing, invalid or expired.');
    if (token.length > 4096) throw invalid();
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now) return known.principal;
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = kid ? await this.keys.verificationKey(kid) : undefined;
      if (!key) throw invalid();
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp'],
      });
      if (!isRole(payload.role) || typeof payload.sub !== 'string') throw invalid();
      const principal: Principal = {
        userId: payload.sub,
        email: String(payload.email ?? ''),
        displayName: String(payload.name ?? ''),
        role: payload.role,
        jurisdictions: Array.isArray(payload.jurisdictions) ? payload.jurisdictions.map(String) : [],
      };
      this.remember(token, principal, Math.min((payload.exp ?? 0) * 1000, now + VERIFIED_TOKEN_TTL_MS));
      return principal;
    } catch {
      throw invalid();
    }
  }

  /**
   * A scanner sends the same token with every scan: its signature is checked once, then the verified principal is
   * reused until the token expires, and for at most a minute (so a change to how tokens are verified, such as a key
   * no longer published, takes effect within a minute). Bounded: the oldest entries go first.
   */
  private readonly verified = new Map<string, { principal: Principal; until: number }>();

  private remember(token: string, principal: Principal, until: number): void {
    if (this.verified.size >= VERIFIED_TOKEN_CACHE_SIZE) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, { principal, until });
  }
}
