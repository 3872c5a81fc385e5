import { generateKeyPairSync } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import { DEFAULT_KEY_ACTIVATION_SECONDS, ServerKeysService, type ExternalSigningKeys, type KeyRotation, type SigningKeyView } from '@app/auth';
import { DomainError } from '@app/common';
import { AppConfig } from '@app/config';
import { Database, type Transaction } from '@app/db';
import { RecordKeysRepository, type StoredRecordKey } from './record-keys.repository';

export interface RecordSigningKey {
  kid: string;
  key: CryptoKey;
  publicJwk: JWK;
}

/** How long a rotated key is published before it signs, by default (the same for every signing key). */
export const DEFAULT_ACTIVATION_DELAY_SECONDS = DEFAULT_KEY_ACTIVATION_SECONDS;

/** A sealed records key opens only as this row's: it cannot be swapped with a server key or another row. */
const sealContext = (kid: string): string => `deployment_record_key:${kid}`;

const publicHalf = (jwk: JWK, kid: string): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: 'EdDSA', use: 'sig' });

const disabled = (): DomainError => new DomainError('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).');

/**
 * The agency's records issuer key (Ed25519), separate from the access-token and checkpoint keys. From
 * RECORDS_SIGNING_KEY (only its public half stored), or generated and stored sealed under KEY_ENCRYPTION_KEY like the
 * server keys. Every key stays in the DID document (a record outlives its key's active period); a rotated key is
 * published first and signs from its activation on. The active key is read from the table at each signing, so every
 * process switches at the same moment. Rotated through ServerKeysService.rotate('deployment_record'), like every key.
 */
@Injectable()
export class RecordIssuerKeysService implements OnModuleInit, ExternalSigningKeys {
  readonly purpose = 'deployment_record' as const;
  private readonly logger = new Logger(RecordIssuerKeysService.name);
  private readonly opened = new Map<string, Promise<RecordSigningKey>>();
  private configured?: JWK;

  constructor(
    private readonly database: Database,
    private readonly keys: RecordKeysRepository,
    private readonly serverKeys: ServerKeysService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    if (config.records.issuerDid) serverKeys.registerExternal(this);
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.records.issuerDid) return;
    await this.database.transaction(async (tx) => {
      await this.keys.lock(tx);
      const configured = this.config.records.signingKey;
      if (configured) {
        const jwk = JSON.parse(configured) as JWK;
        const kid = jwk.kid ?? (await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }));
        this.configured = { ...jwk, kid };
        await this.keys.insert(tx, { kid, publicJwk: publicHalf(jwk, kid), sealedPrivateKey: null, activatesAt: new Date() });
        await this.keys.retireOthers(tx, kid);
      } else if (!(await this.keys.active(tx))) {
        await this.generate(tx, new Date());
      }
    });
    await this.signingKey(); // fails the start when the key-encryption key does not open the active key
  }

  /** The key that signs now. */
  async signingKey(): Promise<RecordSigningKey> {
    if (!this.config.records.issuerDid) throw disabled();
    const stored = await this.keys.active();
    if (!stored) throw new DomainError('service_unavailable', 'No deployment-records key is active.');
    let key = this.opened.get(stored.kid);
    if (!key) {
      key = this.open(stored);
      this.opened.set(stored.kid, key);
      key.catch(() => this.opened.delete(stored.kid));
    }
    return key;
  }

  /** Every key the DID document publishes: active, announced and superseded. */
  published(): Promise<StoredRecordKey[]> {
    return this.keys.all();
  }

  /** The keys with their windows: each signs from its activation until the next key's, and verifies for good. */
  async list(): Promise<SigningKeyView[]> {
    const now = Date.now();
    const keys = await this.keys.all();
    const activated = keys.filter((k) => k.retiredAt === null).sort((a, b) => a.activatesAt.getTime() - b.activatesAt.getTime());
    return keys.map((k): SigningKeyView => {
      const next = activated.find((n) => n.activatesAt > k.activatesAt);
      const retiresAt = k.retiredAt ?? next?.activatesAt ?? null;
      const state = k.activatesAt.getTime() > now ? 'announced' : retiresAt === null || retiresAt.getTime() > now ? 'active' : 'verifying';
      return {
        purpose: this.purpose,
        kid: k.kid,
        state,
        source: k.sealedPrivateKey ? 'generated' : 'environment',
        createdAt: k.createdAt,
        activatesAt: k.activatesAt,
        retiresAt,
        verifiesUntil: null,
      };
    });
  }

  /**
   * Generates the next key in `tx`: published at once, signing from `activatesAt` (now when the current key must stop
   * at once, e.g. it leaked); the key in force signs until then. Refused when the key comes from the environment.
   */
  async rotate(tx: Transaction, activatesAt: Date): Promise<Omit<KeyRotation, 'purpose' | 'activatesAt'>> {
    if (!this.config.records.issuerDid) throw disabled();
    if (this.config.records.signingKey) {
      throw new DomainError('conflict', 'The records key comes from RECORDS_SIGNING_KEY: rotate it by setting a new key and restarting every process.');
    }
    await this.keys.lock(tx);
    const current = await this.keys.active(tx);
    const kid = await this.generate(tx, activatesAt);
    return { kid, replaced: current ? [{ kid: current.kid, retiresAt: activatesAt, verifiesUntil: null }] : [] };
  }

  private async open(stored: StoredRecordKey): Promise<RecordSigningKey> {
    let jwk: JWK | undefined;
    if (this.configured?.kid === stored.kid) jwk = this.configured;
    else if (stored.sealedPrivateKey) {
      const opened = this.serverKeys.unsealSecret(sealContext(stored.kid), stored.sealedPrivateKey);
      jwk = opened === undefined ? undefined : (JSON.parse(opened) as JWK);
    }
    if (!jwk || jwk.x !== stored.publicJwk.x) {
      throw new Error(
        `this process cannot sign with the deployment-records key ${stored.kid}: start it with the KEY_ENCRYPTION_KEY that sealed it (or the RECORDS_SIGNING_KEY it names), ` +
          `or retire that key (UPDATE deployment_record_key SET retired_at = now() WHERE kid = '${stored.kid}')`,
      );
    }
    return { kid: stored.kid, publicJwk: publicHalf(jwk, stored.kid), key: (await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey };
  }

  private async generate(tx: Transaction, activatesAt: Date): Promise<string> {
    const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint({ kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x });
    const sealed = this.serverKeys.sealSecret(sealContext(kid), JSON.stringify(privateJwk));
    await this.keys.insert(tx, { kid, publicJwk: publicHalf(privateJwk, kid), sealedPrivateKey: sealed, activatesAt });
    this.logger.log(`generated a deployment-records signing key ${kid} (stored sealed), signing from ${activatesAt.toISOString()}`);
    return kid;
  }
}
