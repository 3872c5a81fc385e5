import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CompactSign, FlattenedSign, calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import { AppConfig } from '@app/config';
import { DomainError, SingleFlight } from '@app/common';
import { Database, type Transaction } from '@app/db';
import { seal, unseal } from './key-sealing';
import { ServerKeysRepository, type KeyPurpose, type StoredKey } from './server-keys.repository';

const PURPOSES: readonly KeyPurpose[] = ['access_token', 'audit_checkpoint', 'incident_pack'];
/** An unknown kid makes a process re-read the key table at most this often, so forged tokens cost no queries. */
const UNKNOWN_KID_RELOAD_MS = 10_000;
/** Keys added or retired by other processes are seen within this. */
const KEY_TABLE_MAX_AGE_MS = 60_000;
/** Outside production, with no key and no KEY_ENCRYPTION_KEY: the key-encryption key kept here (created at first start). */
const DEVELOPMENT_KEK_FILE = '.secrets/key-encryption-key';

interface SigningKey {
  kid: string;
  key: CryptoKey;
  publicJwk: JWK;
}

/**
 * The server's Ed25519 keys, one per purpose. A key comes from the environment (AUTH_SIGNING_KEY,
 * CHECKPOINT_SIGNING_KEY), or is generated once and stored sealed under KEY_ENCRYPTION_KEY; the database never holds
 * a private key in clear. Public keys are stored so every process verifies what any other signed.
 *
 * - Access tokens verify with the active key, or a retired one until its retirement plus the token lifetime.
 * - Checkpoints verify only with keys the server can vouch for without trusting the table: its own current key, keys
 *   whose sealed private half opens under its key-encryption key, and the pinned AUDIT_TRUSTED_CHECKPOINT_KEYS.
 */
@Injectable()
export class ServerKeysService implements OnModuleInit {
  private readonly logger = new Logger(ServerKeysService.name);
  private readonly signing = new Map<KeyPurpose, SigningKey>();
  private kek?: Buffer;
  private tokenKeys = new Map<string, { key: CryptoKey; jwk: JWK; retiredAt: number | null }>();
  private trustedCheckpoint: JWK[] = [];
  private packKeys: JWK[] = [];
  private readonly imported = new Map<string, Promise<CryptoKey>>();
  private loadedAt = 0;
  private reloadAttemptedAt = 0;
  private readonly reloads = new SingleFlight<void>();

  constructor(
    private readonly database: Database,
    private readonly keyTable: ServerKeysRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
  }

  /** Establishes this process's signing key for each purpose (creating it if needed), then reads the key table. */
  async load(): Promise<void> {
    for (const purpose of PURPOSES) {
      // The incident-pack key is always generated and sealed: stations pin what /.well-known/incident-pack-keys.json says.
      const configured =
        purpose === 'access_token' ? this.config.auth.tokenSigningKey : purpose === 'audit_checkpoint' ? this.config.auth.checkpointSigningKey : undefined;
      // Production keys all from the environment, no key-encryption key: no pack key, offline packs are unavailable.
      if (purpose === 'incident_pack' && this.config.env === 'production' && !this.config.auth.keyEncryptionKey) {
        this.logger.warn('no KEY_ENCRYPTION_KEY: incident packs for offline stations are unavailable');
        continue;
      }
      const privateJwk = configured
        ? (JSON.parse(configured) as JWK)
        : await this.database.transaction((tx) => this.sealedKey(tx, purpose, this.keyEncryptionKey()));
      const { d: _d, ...pub } = privateJwk;
      const kid = privateJwk.kid ?? (await calculateJwkThumbprint(pub));
      const publicJwk: JWK = { kty: pub.kty, crv: pub.crv, x: pub.x, kid, alg: 'EdDSA', use: 'sig' };
      if (configured) await this.database.transaction((tx) => this.registerConfigured(tx, purpose, publicJwk));
      this.signing.set(purpose, { kid, publicJwk, key: (await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey });
    }
    await this.reload();
  }

  get accessTokenKid(): string {
    return this.signingKey('access_token').kid;
  }

  get checkpointKid(): string {
    return this.signingKey('audit_checkpoint').kid;
  }

  signingKey(purpose: KeyPurpose): SigningKey {
    const key = this.signing.get(purpose);
    if (!key) throw new Error(`no ${purpose} signing key: ServerKeysService.load() has not run`);
    return key;
  }

  /**
   * Seals another library's secret (e.g. the deployment-records issuer key) under the same key-encryption key, bound
   * to `context`; `unsealSecret` answers undefined when it does not open under this key and context.
   */
  sealSecret(context: string, plaintext: string): string {
    return seal(this.keyEncryptionKey(), plaintext, context);
  }

  unsealSecret(context: string, sealed: string): string | undefined {
    return unseal(this.keyEncryptionKey(), sealed, context);
  }

  /** A compact JWS over an audit checkpoint statement, with the checkpoint key. */
  async signCheckpoint(payload: Uint8Array, typ: string): Promise<string> {
    const { kid, key } = this.signingKey('audit_checkpoint');
    return new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(key);
  }

  /**
   * An incident pack signature: a flattened JWS with an unencoded payload (RFC 7797), so the pack travels as JSON text
   * and a station verifies the exact bytes it parses.
   */
  async signPack(payload: string, typ: string): Promise<{ protected: string; signature: string; kid: string }> {
    if (!this.signing.has('incident_pack')) throw new DomainError('service_unavailable', 'This server has no incident-pack key (set KEY_ENCRYPTION_KEY).');
    const { kid, key } = this.signingKey('incident_pack');
    const jws = await new FlattenedSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'EdDSA', kid, typ, b64: false, crit: ['b64'] }).sign(key);
    return { protected: jws.protected ?? '', signature: jws.signature, kid };
  }

  /** The incident-pack keys (/.well-known/incident-pack-keys.json): the current one and retired ones, as packs they signed may still be on stations. */
  async incidentPackKeys(): Promise<{ keys: JWK[] }> {
    if (Date.now() - this.loadedAt > KEY_TABLE_MAX_AGE_MS) await this.refresh();
    return { keys: this.packKeys };
  }

  /**
   * The key for an access token's kid, and until when it verifies; undefined for a key that is unknown, not an
   * access-token key, or retired longer ago than a token lives. An unknown kid re-reads the table at most every 10 s.
   */
  async tokenVerificationKey(kid: string): Promise<{ key: CryptoKey; validUntil: number } | undefined> {
    const now = Date.now();
    const unknown = !this.tokenKeys.has(kid) && now - this.reloadAttemptedAt >= UNKNOWN_KID_RELOAD_MS;
    if (unknown || now - this.loadedAt > KEY_TABLE_MAX_AGE_MS) await this.refresh();
    const entry = this.tokenKeys.get(kid);
    if (!entry) return undefined;
    const validUntil = entry.retiredAt === null ? Number.POSITIVE_INFINITY : entry.retiredAt + this.config.auth.accessTokenTtlSeconds * 1000;
    return validUntil > now ? { key: entry.key, validUntil } : undefined;
  }

  /** The access-token keys that verify now (/.well-known/jwks.json). */
  jwks(): { keys: JWK[] } {
    const now = Date.now();
    const ttl = this.config.auth.accessTokenTtlSeconds * 1000;
    return { keys: [...this.tokenKeys.values()].filter((k) => k.retiredAt === null || k.retiredAt + ttl > now).map((k) => k.jwk) };
  }

  /** The checkpoint keys audit verification trusts, read afresh (another process may have rotated its key). */
  async trustedCheckpointKeys(): Promise<{ keys: JWK[] }> {
    await this.reload();
    return { keys: this.trustedCheckpoint };
  }

  private async refresh(): Promise<void> {
    await this.reloads.run('keys', async () => {
      this.reloadAttemptedAt = Date.now();
      try {
        await this.reload();
      } catch (err) {
        // The keys already known keep working; the next unknown kid or the next minute tries again.
        this.logger.warn({ err }, 'could not re-read the signing keys');
      }
    });
  }

  private async reload(): Promise<void> {
    const rows = await this.keyTable.all();
    const tokenKeys = new Map<string, { key: CryptoKey; jwk: JWK; retiredAt: number | null }>();
    const trusted = new Map<string, JWK>();
    const packKeys: JWK[] = [];
    const own = this.signingKey('audit_checkpoint').publicJwk;
    trusted.set(own.kid!, own);
    for (const row of rows) {
      const jwk: JWK = { kty: row.publicJwk.kty, crv: row.publicJwk.crv, x: row.publicJwk.x, kid: row.kid, alg: 'EdDSA', use: 'sig' };
      if (row.purpose === 'access_token') {
        tokenKeys.set(row.kid, { key: await this.importPublic(jwk), jwk, retiredAt: row.retiredAt?.getTime() ?? null });
      } else if (row.purpose === 'incident_pack') {
        packKeys.push(jwk);
      } else if (!trusted.has(row.kid) && this.opensUnderOwnKek(row)) {
        trusted.set(row.kid, jwk);
      }
    }
    for (const pinned of this.config.audit.trustedCheckpointKeys) {
      if (!trusted.has(pinned.kid)) trusted.set(pinned.kid, { ...pinned, alg: 'EdDSA', use: 'sig' });
    }
    this.tokenKeys = tokenKeys;
    this.trustedCheckpoint = [...trusted.values()];
    this.packKeys = packKeys;
    this.loadedAt = Date.now();
  }

  /** A stored key this server generated: its sealed private half opens under our key-encryption key and matches the public half. */
  private opensUnderOwnKek(row: StoredKey): boolean {
    if (!row.sealedPrivateKey || !this.kek) return false;
    const opened = unseal(this.kek, row.sealedPrivateKey, sealContext(row.purpose, row.kid));
    return opened !== undefined && publicX(opened) === row.publicJwk.x;
  }

  private importPublic(jwk: JWK): Promise<CryptoKey> {
    const id = `${jwk.kid}:${jwk.x}`;
    let key = this.imported.get(id);
    if (!key) {
      key = importJWK(jwk, 'EdDSA') as Promise<CryptoKey>;
      this.imported.set(id, key);
    }
    return key;
  }

  /** A key from the environment: its public half is stored (published, verifiable by other processes), older ones retire. */
  private async registerConfigured(tx: Transaction, purpose: KeyPurpose, publicJwk: JWK): Promise<void> {
    await this.keyTable.lockKeys(tx);
    const kid = publicJwk.kid!;
    const existing = await this.keyTable.findByKid(tx, kid);
    if (existing && (existing.purpose !== purpose || existing.publicJwk.x !== publicJwk.x)) {
      throw new Error(`the ${purpose} signing key names kid ${kid}, which is another key's (${existing.purpose}); give it another kid`);
    }
    await this.keyTable.registerPublic(tx, kid, purpose, publicJwk);
    await this.keyTable.retireOthers(tx, purpose, kid);
  }

  /** The generated key of this purpose, opened with the key-encryption key; generated and stored sealed the first time. */
  private async sealedKey(tx: Transaction, purpose: KeyPurpose, kek: Buffer): Promise<JWK> {
    await this.keyTable.lockKeys(tx);
    const stored = await this.keyTable.newestSealed(tx, purpose);
    if (stored?.sealedPrivateKey) {
      const opened = unseal(kek, stored.sealedPrivateKey, sealContext(purpose, stored.kid));
      if (opened === undefined || publicX(opened) !== stored.publicJwk.x) {
        throw new Error(
          `KEY_ENCRYPTION_KEY does not open the stored ${purpose} key ${stored.kid}: start with the key-encryption key that sealed it, ` +
            `or retire that key (UPDATE server_signing_key SET retired_at = now() WHERE kid = '${stored.kid}') to generate a new one`,
        );
      }
      return { ...(JSON.parse(opened) as JWK), kid: stored.kid };
    }
    const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint({ kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x });
    const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, kid, alg: 'EdDSA', use: 'sig' };
    await this.keyTable.retireOthers(tx, purpose);
    await this.keyTable.insertSealed(tx, kid, purpose, publicJwk, seal(kek, JSON.stringify(privateJwk), sealContext(purpose, kid)));
    this.logger.log(`generated a new ${purpose} signing key ${kid} (stored sealed)`);
    return { ...privateJwk, kid };
  }

  private keyEncryptionKey(): Buffer {
    if (this.kek) return this.kek;
    const configured = this.config.auth.keyEncryptionKey;
    if (configured) {
      this.kek = Buffer.from(configured, 'base64');
    } else {
      if (this.config.env === 'production') throw new Error('no signing key and no KEY_ENCRYPTION_KEY: refused in production');
      this.kek = developmentKek(resolve(DEVELOPMENT_KEK_FILE));
      this.logger.warn(
        `no signing keys and no KEY_ENCRYPTION_KEY: generated keys are sealed with the development key in ${DEVELOPMENT_KEK_FILE} (refused in production)`,
      );
    }
    return this.kek;
  }
}

/** What a sealed key is bound to: its purpose and kid (the thumbprint of its public half). */
const sealContext = (purpose: KeyPurpose, kid: string): string => `server_signing_key:${purpose}:${kid}`;

/** The public x of a private JWK in JSON (undefined if it is not one). */
function publicX(privateJwkJson: string): string | undefined {
  try {
    const jwk = createPublicKey(createPrivateKey({ key: JSON.parse(privateJwkJson) as JsonWebKey, format: 'jwk' })).export({ format: 'jwk' });
    return jwk.x;
  } catch {
    return undefined;
  }
}

/** The development key-encryption key in `path`, created (mode 0600, atomically: several processes may start at once) if missing. */
function developmentKek(path: string): Buffer {
  const read = (): Buffer | undefined => {
    try {
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  let key = read();
  if (!key) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(temporary, randomBytes(32).toString('base64'), { mode: 0o600 });
    try {
      linkSync(temporary, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(temporary, { force: true });
    }
    key = read();
  }
  if (key?.length !== 32) throw new Error(`${path} must hold 32 bytes in base64`);
  return key;
}
