import { Inject, Injectable } from '@nestjs/common';
import { SignJWT, decodeProtectedHeader, jwtVerify } from 'jose';
import { AppConfig } from '@app/config';
import { DomainError } from '@app/common';
import { isRole, type Principal } from '../roles';
import { ServerKeys } from './server-keys.service';

export const TOKEN_ISSUER = 'responder-checkin';
export const TOKEN_AUDIENCE = 'responder-checkin-api';

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
    const invalid = new DomainError('unauthenticated', 'The access token is missing, invalid or expired.');
    if (token.length > 4096) throw invalid;
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = kid ? await this.keys.verificationKey(kid) : undefined;
      if (!key) throw invalid;
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['EdDSA'],
        issuer: TOKEN_ISSUER,
        audience: TOKEN_AUDIENCE,
        typ: 'at+jwt',
        requiredClaims: ['sub', 'exp'],
      });
      if (!isRole(payload.role) || typeof payload.sub !== 'string') throw invalid;
      return {
        userId: payload.sub,
        email: String(payload.email ?? ''),
        displayName: String(payload.name ?? ''),
        role: payload.role,
        jurisdictions: Array.isArray(payload.jurisdictions) ? payload.jurisdictions.map(String) : [],
      };
    } catch {
      throw invalid;
    }
  }
}
