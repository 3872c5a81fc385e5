import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger, OnModuleInit, Optional } from '@nestjs/common';
import { CompactSign, FlattenedSign, calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import { AppConfig } from '@app/config';
import { DomainError, SingleFlight } from '@app/common';
import { Database, type Transaction } from '@app/db';
import { seal, unseal } from './key-sealing';
import { ServerKeysRepository, type KeyPurpose, type StoredKey } from './server-keys.repository';
import {
  DEFAULT_KEY_ACTIVATION_SECONDS,
  DEFAULT_PACK_KEY_OVERLAP_SECONDS,
  KeyChangeEvents,
  type ExternalSigningKeys,
  type KeyChangeActor,
  type KeyRotation,
  type SigningKeyPurpose,
  type SigningKeyView,
} from './signing-keys';

const PURPOSES: readonly KeyPurpose[] = ['access_token', 'audit_checkpoint', 'incident_pack'];
/** An unknown kid makes a process re-read the key table at most this often, so forged tokens cost no queries. */
const UNKNOWN_KID_RELOAD_MS = 10_000;
/**
 * Keys added or retired by other processes are seen within this: a rotation takes effect in every process without a
 * restart (a rotated key is announced for longer than this before it signs, so every process switches on time).
 */
const KEY_TABLE_MAX_AGE_MS = 10_000;
/** Outside production, with no key and no KEY_ENCRYPTION_KEY: the key-encryption key kept here (created at first start). */
const DEVELOPMENT_KEK_FILE = '.secrets/key-encryption-key';

interface SigningKey {
  kid: string;
  key: CryptoKey;
  publicJwk: JWK;
}

/** A generated key this process can sign with, and the window in which it does. */
interface ScheduledKey extends SigningKey {
  activatesAt: number;
  retiresAt: number | null;
}

export interface RotationRequest {
  /** Seconds from now until the new key signs (0: at once, e.g. when the current key leaked). */
  activateInSeconds?: number;
  /** Seconds the replaced key keeps verifying after it stops signing (access-token and incident-pack keys only). */
  overlapSeconds?: number;
}

/**
 * The server's Ed25519 keys, one signing per purpose at a time. A key comes from the environment (AUTH_SIGNING_KEY,
 * CHECKPOINT_SIGNING_KEY), or is generated and stored sealed under KEY_ENCRYPTION_KEY; the database never holds a
 * private key in clear. Public keys are stored so every process verifies what any other signed. Every signing key
 * (the deployment-records key too, through ExternalSigningKeys) rotates through `rotate`: the new key is published at
 * once and signs from its activation, when the old one stops signing; every process reads the table at most 10 s old.
 *
 * - Access tokens verify with a key until its verification window ends (retirement plus the overlap, by default the
 *   token lifetime), then no more.
 * - Incident packs verify with a key until its window ends (30 days by default): stations may hold packs offline.
 * - Checkpoints verify only with keys the server can vouch for without trusting the table: its own keys (whose sealed
 *   private half opens under its key-encryption key), its configured key and the pinned AUDIT_TRUSTED_CHECKPOINT_KEYS;
 *   for good, since the audit trail's history must verify after any number of rotations.
 */
@Injectable()
export class ServerKeysService implements OnModuleInit {
  private readonly logger = new Logger(ServerKeysService.name);
  /** Keys from the environment: they sign until the process restarts with another. */
  private readonly configured = new Map<KeyPurpose, SigningKey>();
  private scheduled = new Map<KeyPurpose, ScheduledKey[]>();
  private kek?: Buffer;
  private rows: StoredKey[] = [];
  private tokenKeys = new Map<string, { key: CryptoKey; jwk: JWK; validUntil: number }>();
  private trustedCheckpoint: JWK[] = [];
  private packKeys: { jwk: JWK; validUntil: number }[] = [];
  private readonly imported = new Map<string, Promise<CryptoKey>>();
  private readonly opened = new Map<string, Promise<CryptoKey>>();
  private external?: ExternalSigningKeys;
  private loadedAt = 0;
  private reloadAttemptedAt = 0;
  private readonly reloads = new SingleFlight<void>();

  constructor(
    private readonly database: Database,
    private readonly keyTable: ServerKeysRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    /** Provided by the audit trail when it is loaded (api process, CLI); otherwise nothing is recorded. */
    @Optional() private readonly changes: KeyChangeEvents = new KeyChangeEvents(),
  ) {}

  async onModuleInit(): Promise<void> {
    await this.load();
  }

  /** Establishes this process's signing key for each purpose (creating it if needed), then reads the key table. */
  async load(): Promise<void> {
    for (const purpose of PURPOSES) {
      // The incident-pack key is always generated and sealed: stations pin what /.well-known/incident-pack-keys.json says.
      const configured = this.configuredKey(purpose);
      // Production keys all from the environment, no key-encryption key: no pack key, offline packs are unavailable.
      if (purpose === 'incident_pack' && !this.packKeyAvailable()) {
        this.logger.warn('no KEY_ENCRYPTION_KEY: incident packs for offline stations are unavailable');
        continue;
      }
      if (configured) {
        const privateJwk = JSON.parse(configured) as JWK;
        const { d: _d, ...pub } = privateJwk;
        const kid = privateJwk.kid ?? (await calculateJwkThumbprint(pub));
        const publicJwk: JWK = { kty: pub.kty, crv: pub.crv, x: pub.x, kid, alg: 'EdDSA', use: 'sig' };
        await this.database.transaction((tx) => this.registerConfigured(tx, purpose, publicJwk));
        this.configured.set(purpose, { kid, publicJwk, key: (await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey });
      } else {
        await this.database.transaction((tx) => this.sealedKey(tx, purpose, this.keyEncryptionKey()));
      }
    }
    await this.reload();
  }

  /** Lets another library's key family (the deployment-records key) rotate and be listed with the server's own. */
  registerExternal(keys: ExternalSigningKeys): void {
    this.external = keys;
  }

  /** The key that signs for this purpose now, from a key table at most 10 s old. */
  async signingKey(purpose: KeyPurpose): Promise<SigningKey> {
    const configured = this.configured.get(purpose);
    if (configured) return configured;
    if (Date.now() - this.loadedAt > KEY_TABLE_MAX_AGE_MS) await this.refresh();
    const signing = this.inForce(purpose);
    if (!signing) {
      if (purpose === 'incident_pack') throw new DomainError('service_unavailable', 'This server has no incident-pack key (set KEY_ENCRYPTION_KEY).');
      throw new Error(`no ${purpose} signing key: ServerKeysService.load() has not run`);
    }
    return signing;
  }

  /**
   * The newest activated key in its signing window; else, when a key was retired with no successor (by hand, or by a
   * process started with a key from the environment), the newest activated one: signing goes on with it until a
   * restart generates the next, as before rotation existed.
   */
  private inForce(purpose: KeyPurpose): ScheduledKey | undefined {
    const now = Date.now();
    let inWindow: ScheduledKey | undefined;
    let newest: ScheduledKey | undefined;
    for (const k of this.scheduled.get(purpose) ?? []) {
      if (k.activatesAt > now) continue;
      if (!newest || k.activatesAt >= newest.activatesAt) newest = k;
      if ((k.retiresAt === null || k.retiresAt > now) && (!inWindow || k.activatesAt >= inWindow.activatesAt)) inWindow = k;
    }
    return inWindow ?? newest;
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

  /** A compact JWS over an audit checkpoint statement, with the checkpoint key (its kid is in the protected header). */
  async signCheckpoint(payload: Uint8Array, typ: string): Promise<string> {
    const { kid, key } = await this.signingKey('audit_checkpoint');
    return new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid, typ }).sign(key);
  }

  /**
   * An incident pack signature: a flattened JWS with an unencoded payload (RFC 7797), so the pack travels as JSON text
   * and a station verifies the exact bytes it parses.
   */
  async signPack(payload: string, typ: string): Promise<{ protected: string; signature: string; kid: string }> {
    if (!this.packKeyAvailable()) throw new DomainError('service_unavailable', 'This server has no incident-pack key (set KEY_ENCRYPTION_KEY).');
    const { kid, key } = await this.signingKey('incident_pack');
    const jws = await new FlattenedSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'EdDSA', kid, typ, b64: false, crit: ['b64'] }).sign(key);
    return { protected: jws.protected ?? '', signature: jws.signature, kid };
  }

  /** The incident-pack keys (/.well-known/incident-pack-keys.json): announced, signing, and replaced ones within their window. */
  async incidentPackKeys(): Promise<{ keys: JWK[] }> {
    if (Date.now() - this.loadedAt > KEY_TABLE_MAX_AGE_MS) await this.refresh();
    const now = Date.now();
    return { keys: this.packKeys.filter((k) => k.validUntil > now).map((k) => k.jwk) };
  }

  /**
   * The key for an access token's kid, and until when it verifies; undefined for a key that is unknown, not an
   * access-token key, or past its verification window. An unknown kid re-reads the table at most every 10 s.
   */
  async tokenVerificationKey(kid: string): Promise<{ key: CryptoKey; validUntil: number } | undefined> {
    const now = Date.now();
    const unknown = !this.tokenKeys.has(kid) && now - this.reloadAttemptedAt >= UNKNOWN_KID_RELOAD_MS;
    if (unknown || now - this.loadedAt > KEY_TABLE_MAX_AGE_MS) await this.refresh();
    const entry = this.tokenKeys.get(kid);
    if (!entry) return undefined;
    return entry.validUntil > now ? { key: entry.key, validUntil: entry.validUntil } : undefined;
  }

  /** The access-token keys that verify now, and announced ones (/.well-known/jwks.json). */
  jwks(): { keys: JWK[] } {
    const now = Date.now();
    return { keys: [...this.tokenKeys.values()].filter((k) => k.validUntil > now).map((k) => k.jwk) };
  }

  /** The checkpoint keys audit verification trusts, read afresh (another process may have rotated its key). */
  async trustedCheckpointKeys(): Promise<{ keys: JWK[] }> {
    await this.reload();
    return { keys: this.trustedCheckpoint };
  }

  /** Every signing key with its windows, the deployment-records keys included, read afresh. */
  async list(): Promise<SigningKeyView[]> {
    await this.reload();
    const now = Date.now();
    const own = this.rows.map((row): SigningKeyView => {
      const verifiesUntil = this.verifiesUntil(row);
      const retiresAt = row.retiredAt?.getTime() ?? null;
      const state =
        row.activatesAt.getTime() > now ? 'announced' : retiresAt === null || retiresAt > now ? 'active' : verifiesUntil > now ? 'verifying' : 'retired';
      return {
        purpose: row.purpose,
        kid: row.kid,
        state,
        source: row.sealedPrivateKey ? 'generated' : 'environment',
        createdAt: row.createdAt,
        activatesAt: row.activatesAt,
        retiresAt: row.retiredAt,
        verifiesUntil: Number.isFinite(verifiesUntil) ? new Date(verifiesUntil) : null,
      };
    });
    return [...own, ...(this.external ? await this.external.list() : [])];
  }

  /**
   * Generates the next key of `purpose`: published at once, signing after `activateInSeconds` (default 600 s), when
   * every key it replaces stops signing; those keep verifying for `overlapSeconds` more (access tokens: by default the
   * token lifetime; packs: 30 days; checkpoints and deployment records: for good). One transaction with its audit
   * entry. Refused for a key that comes from the environment.
   */
  async rotate(purpose: SigningKeyPurpose, request: RotationRequest, actor: KeyChangeActor): Promise<KeyRotation> {
    const activateIn = request.activateInSeconds ?? DEFAULT_KEY_ACTIVATION_SECONDS;
    if ((purpose === 'audit_checkpoint' || purpose === 'deployment_record') && request.overlapSeconds !== undefined) {
      throw new DomainError('validation_failed', `A ${purpose} key verifies what it signed for good: overlapSeconds does not apply.`);
    }
    const activatesAt = new Date(Date.now() + activateIn * 1000);
    if (purpose === 'deployment_record') {
      const external = this.external;
      if (!external) throw new DomainError('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).');
      return this.database.transaction(async (tx) => {
        const rotation: KeyRotation = { purpose, activatesAt, ...(await external.rotate(tx, activatesAt)) };
        await this.changes.rotated(tx, actor, rotation);
        return rotation;
      });
    }
    if (this.configured.has(purpose)) throw fromEnvironment(purpose);
    if (purpose === 'incident_pack' && !this.packKeyAvailable()) {
      throw new DomainError('service_unavailable', 'This server has no incident-pack key (set KEY_ENCRYPTION_KEY).');
    }
    const overlap =
      purpose === 'audit_checkpoint'
        ? null
        : (request.overlapSeconds ?? (purpose === 'access_token' ? this.config.auth.accessTokenTtlSeconds : DEFAULT_PACK_KEY_OVERLAP_SECONDS));
    const kek = this.keyEncryptionKey();
    const rotation = await this.database.transaction(async (tx) => {
      await this.keyTable.lockKeys(tx);
      const inUse = await this.keyTable.inUse(tx, purpose);
      // The table, not this process's environment, says where the key in force comes from (the CLI has no AUTH_SIGNING_KEY).
      if (inUse.some((k) => k.sealedPrivateKey === null)) throw fromEnvironment(purpose);
      // A key sealed under another key-encryption key would be published and never used: every process must open it.
      const unopened = inUse.find((k) => unseal(kek, k.sealedPrivateKey ?? '', sealContext(purpose, k.kid)) === undefined);
      if (unopened)
        throw new DomainError(
          'conflict',
          `KEY_ENCRYPTION_KEY does not open the ${purpose} key ${unopened.kid} in force: rotate with the api's key-encryption key.`,
        );
      const replaced: KeyRotation['replaced'] = [];
      for (const old of inUse) {
        const retiresAt = old.retiredAt && old.retiredAt < activatesAt ? old.retiredAt : activatesAt;
        const verifiesUntil = overlap === null ? null : new Date(retiresAt.getTime() + overlap * 1000);
        await this.keyTable.scheduleRetirement(tx, old.kid, retiresAt, verifiesUntil);
        replaced.push({ kid: old.kid, retiresAt, verifiesUntil });
      }
      const kid = await this.generate(tx, purpose, kek, activatesAt);
      const done: KeyRotation = { purpose, kid, activatesAt, replaced };
      await this.changes.rotated(tx, actor, done);
      return done;
    });
    await this.reload();
    return rotation;
  }

  private configuredKey(purpose: KeyPurpose): string | undefined {
    return purpose === 'access_token' ? this.config.auth.tokenSigningKey : purpose === 'audit_checkpoint' ? this.config.auth.checkpointSigningKey : undefined;
  }

  private packKeyAvailable(): boolean {
    return !(this.config.env === 'production' && !this.config.auth.keyEncryptionKey);
  }

  /** Until when a stored key verifies what it signed (infinite: for good, or while it is in use). */
  private verifiesUntil(row: StoredKey): number {
    if (row.purpose === 'audit_checkpoint') return Number.POSITIVE_INFINITY;
    if (row.retiredAt === null) return Number.POSITIVE_INFINITY;
    if (row.verifiesUntil) return row.verifiesUntil.getTime();
    // Retired before windows were stored: tokens as long as a token lives; packs for good (what the server did then).
    return row.purpose === 'access_token' ? row.retiredAt.getTime() + this.config.auth.accessTokenTtlSeconds * 1000 : Number.POSITIVE_INFINITY;
  }

  private async refresh(): Promise<void> {
    await this.reloads.run('keys', async () => {
      this.reloadAttemptedAt = Date.now();
      try {
        await this.reload();
      } catch (err) {
        // The keys already known keep working; the next unknown kid or the next 10 s try again.
        this.logger.warn({ err }, 'could not re-read the signing keys');
      }
    });
  }

  private async reload(): Promise<void> {
    // The table's age counts from its reading: a reload slowed down (key imports queue behind password hashing on
    // the thread pool) must not pass rows read before a rotation off as fresh.
    const readAt = Date.now();
    const rows = await this.keyTable.all();
    const now = Date.now();
    const tokenKeys = new Map<string, { key: CryptoKey; jwk: JWK; validUntil: number }>();
    const trusted = new Map<string, JWK>();
    const packKeys: { jwk: JWK; validUntil: number }[] = [];
    const scheduled = new Map<KeyPurpose, ScheduledKey[]>();
    const own = this.configured.get('audit_checkpoint')?.publicJwk;
    if (own) trusted.set(own.kid!, own);
    for (const row of rows) {
      const jwk: JWK = { kty: row.publicJwk.kty, crv: row.publicJwk.crv, x: row.publicJwk.x, kid: row.kid, alg: 'EdDSA', use: 'sig' };
      const retiresAt = row.retiredAt?.getTime() ?? null;
      if (row.sealedPrivateKey && !this.configured.has(row.purpose) && this.kek) {
        const key = await this.openSealed(row);
        if (key)
          scheduled.set(row.purpose, [
            ...(scheduled.get(row.purpose) ?? []),
            { kid: row.kid, key, publicJwk: jwk, activatesAt: row.activatesAt.getTime(), retiresAt },
          ]);
      }
      if (row.purpose === 'access_token') {
        tokenKeys.set(row.kid, { key: await this.importPublic(jwk), jwk, validUntil: this.verifiesUntil(row) });
      } else if (row.purpose === 'incident_pack') {
        packKeys.push({ jwk, validUntil: this.verifiesUntil(row) });
      } else if (!trusted.has(row.kid) && this.opensUnderOwnKek(row)) {
        trusted.set(row.kid, jwk);
      }
    }
    for (const pinned of this.config.audit.trustedCheckpointKeys) {
      if (!trusted.has(pinned.kid)) trusted.set(pinned.kid, { ...pinned, alg: 'EdDSA', use: 'sig' });
    }
    this.rows = rows;
    this.tokenKeys = tokenKeys;
    this.trustedCheckpoint = [...trusted.values()];
    this.packKeys = packKeys;
    this.scheduled = scheduled;
    this.loadedAt = readAt;
  }

  /** The private key of a stored generated key, if it opens under our key-encryption key and matches its public half. */
  private async openSealed(row: StoredKey): Promise<CryptoKey | undefined> {
    let key = this.opened.get(row.kid);
    if (!key) {
      const opened = this.kek && row.sealedPrivateKey ? unseal(this.kek, row.sealedPrivateKey, sealContext(row.purpose, row.kid)) : undefined;
      if (opened === undefined || publicX(opened) !== row.publicJwk.x) return undefined;
      key = importJWK({ ...(JSON.parse(opened) as JWK), alg: 'EdDSA' }, 'EdDSA') as Promise<CryptoKey>;
      this.opened.set(row.kid, key);
    }
    return key;
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

  /** Checks the generated key of this purpose opens with the key-encryption key; generates and stores one sealed the first time. */
  private async sealedKey(tx: Transaction, purpose: KeyPurpose, kek: Buffer): Promise<void> {
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
      return;
    }
    await this.keyTable.retireOthers(tx, purpose);
    await this.generate(tx, purpose, kek);
  }

  private async generate(tx: Transaction, purpose: KeyPurpose, kek: Buffer, activatesAt?: Date): Promise<string> {
    const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint({ kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x });
    const publicJwk: JWK = { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, kid, alg: 'EdDSA', use: 'sig' };
    await this.keyTable.insertSealed(tx, kid, purpose, publicJwk, seal(kek, JSON.stringify(privateJwk), sealContext(purpose, kid)), activatesAt);
    this.logger.log(`generated a new ${purpose} signing key ${kid} (stored sealed)${activatesAt ? `, signing from ${activatesAt.toISOString()}` : ''}`);
    return kid;
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

const fromEnvironment = (purpose: KeyPurpose): DomainError =>
  new DomainError(
    'conflict',
    `The ${purpose} key comes from ${purpose === 'access_token' ? 'AUTH_SIGNING_KEY' : 'CHECKPOINT_SIGNING_KEY'}: rotate it by setting a new key there and restarting every process.`,
  );

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
