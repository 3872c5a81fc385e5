import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CompactSign, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';

const KEY_LOCK = 7_311_204_212;

interface StoredKey {
  kid: string;
  public_jwk: JWK;
  private_jwk: JWK | null;
  retired_at: Date | null;
}

/**
 * The server's EdDSA signing key (access tokens, audit checkpoints). Taken from AUTH_SIGNING_KEY, or generated and
 * stored on first start. Every key ever used stays published in the JWKS so old tokens and checkpoints verify.
 */
@Injectable()
export class ServerKeys implements OnModuleInit {
  private readonly logger = new Logger(ServerKeys.name);
  private active!: { kid: string; key: CryptoKey };
  private published: JWK[] = [];
  private readonly verifyKeys = new Map<string, CryptoKey>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
  }

  get activeKid(): string {
    return this.active.kid;
  }

  async load(): Promise<void> {
    const configured = this.config.auth.signingKey ? parsePrivateJwk(this.config.auth.signingKey) : undefined;
    const active = await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
      if (configured) {
        const { d: _d, ...pub } = configured;
        const kid = configured.kid ?? (await calculateJwkThumbprint(pub));
        await tx.query(
          `INSERT INTO server_signing_key (kid, public_jwk) VALUES ($1, $2) ON CONFLICT (kid) DO UPDATE SET retired_at = NULL`,
          [kid, { ...pub, kid, alg: 'EdDSA', use: 'sig' }],
        );
        await tx.query(`UPDATE server_signing_key SET retired_at = now() WHERE kid <> $1 AND retired_at IS NULL`, [kid]);
        return { kid, jwk: configured };
      }
      const rows: StoredKey[] = await tx.query(
        `SELECT kid, public_jwk, private_jwk, retired_at FROM server_signing_key WHERE retired_at IS NULL AND private_jwk IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
      );
      if (rows[0]?.private_jwk) return { kid: rows[0].kid, jwk: rows[0].private_jwk };
      const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
      const pub = await exportJWK(publicKey);
      const kid = await calculateJwkThumbprint(pub);
      const priv = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA' };
      await tx.query(`UPDATE server_signing_key SET retired_at = now() WHERE retired_at IS NULL`);
      await tx.query(`INSERT INTO server_signing_key (kid, public_jwk, private_jwk) VALUES ($1, $2, $3)`, [
        kid, { ...pub, kid, alg: 'EdDSA', use: 'sig' }, priv,
      ]);
      this.logger.log(`generated a new server signing key ${kid}`);
      return { kid, jwk: priv };
    });
    this.active = { kid: active.kid, key: (await importJWK({ ...active.jwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey };
    await this.refreshPublished();
  }

  async refreshPublished(): Promise<void> {
    const rows: Array<{ public_jwk: JWK }> = await this.db.query(`SELECT public_jwk FROM server_signing_key ORDER BY created_at`);
    this.published = rows.map((r) => r.public_jwk);
    for (const jwk of this.published) {
      if (jwk.kid && !this.verifyKeys.has(jwk.kid)) this.verifyKeys.set(jwk.kid, (await importJWK(jwk, 'EdDSA')) as CryptoKey);
    }
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  signingKey(): { kid: string; key: CryptoKey } {
    return this.active;
  }

  async verificationKey(kid: string): Promise<CryptoKey | undefined> {
    if (!this.verifyKeys.has(kid)) await this.refreshPublished();
    return this.verifyKeys.get(kid);
  }

  /** A compact JWS over `payload` (audit checkpoints and other server statements). */
  async signJws(payload: Uint8Array, typ: string): Promise<string> {
    return new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: this.active.kid, typ }).sign(this.active.key);
  }
}

function parsePrivateJwk(raw: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(raw) as JWK;
  } catch {
    throw new Error('AUTH_SIGNING_KEY must be a private Ed25519 JWK in JSON');
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d) throw new Error('AUTH_SIGNING_KEY must be a private Ed25519 JWK (kty OKP, crv Ed25519, with d)');
  return jwk;
}
