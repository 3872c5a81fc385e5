import { generateKeyPairSync } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { calculateJwkThumbprint, importJWK, type CryptoKey, type JWK } from 'jose';
import { ServerKeysService } from '@app/auth';
import { DomainError } from '@app/common';
import { AppConfig } from '@app/config';
import { Database } from '@app/db';
import { RecordKeysRepository, type StoredRecordKey } from './record-keys.repository';

export interface RecordSigningKey {
  kid: string;
  key: CryptoKey;
  publicJwk: JWK;
}

/** A sealed records key opens only as this row's: it cannot be swapped with a server key or another row. */
const sealContext = (kid: string): string => `deployment_record_key:${kid}`;

const publicHalf = (jwk: JWK, kid: string): JWK => ({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, kid, alg: 'EdDSA', use: 'sig' });

/**
 * The agency's records issuer key (Ed25519), separate from the access-token and checkpoint keys. From
 * RECORDS_SIGNING_KEY (only its public half stored), or generated and stored sealed under KEY_ENCRYPTION_KEY like the
 * server keys. Rotation retires the old key but keeps it published in the DID document: a record outlives its key's
 * active period and must keep verifying.
 */
@Injectable()
export class RecordIssuerKeysService implements OnModuleInit {
  private readonly logger = new Logger(RecordIssuerKeysService.name);
  private current?: RecordSigningKey;

  constructor(
    private readonly database: Database,
    private readonly keys: RecordKeysRepository,
    private readonly serverKeys: ServerKeysService,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.records.issuerDid) await this.load();
  }

  get enabled(): boolean {
    return this.config.records.issuerDid !== undefined;
  }

  /** The key that signs now; a process that did not load one (records disabled) refuses. */
  async signingKey(): Promise<RecordSigningKey> {
    if (!this.enabled) throw new DomainError('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).');
    if (!this.current) await this.load();
    return this.current!;
  }

  /** Every key the DID document publishes: the one in use and the retired ones. */
  published(): Promise<StoredRecordKey[]> {
    return this.keys.all();
  }

  /** A new generated key signs from now on; the previous one stays published. Refused when the key comes from the environment. */
  async rotate(): Promise<RecordSigningKey> {
    if (!this.enabled) throw new DomainError('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).');
    if (this.config.records.signingKey) {
      throw new DomainError('conflict', 'The records key comes from RECORDS_SIGNING_KEY: rotate it by setting a new key and restarting every process.');
    }
    const privateJwk = await this.database.transaction(async (tx) => {
      await this.keys.lock(tx);
      return this.generate(tx);
    });
    this.current = await this.toSigningKey(privateJwk);
    return this.current;
  }

  private async load(): Promise<void> {
    const configured = this.config.records.signingKey;
    const privateJwk = await this.database.transaction(async (tx) => {
      await this.keys.lock(tx);
      if (configured) {
        const jwk = JSON.parse(configured) as JWK;
        const kid = jwk.kid ?? (await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }));
        await this.keys.insert(tx, kid, publicHalf(jwk, kid), null);
        await this.keys.retireOthers(tx, kid);
        return { ...jwk, kid };
      }
      const stored = await this.keys.newestSealed(tx);
      if (!stored?.sealedPrivateKey) return this.generate(tx);
      const opened = this.serverKeys.unsealSecret(sealContext(stored.kid), stored.sealedPrivateKey);
      const jwk = opened === undefined ? undefined : (JSON.parse(opened) as JWK);
      if (!jwk || jwk.x !== stored.publicJwk.x) {
        throw new Error(
          `KEY_ENCRYPTION_KEY does not open the stored deployment-records key ${stored.kid}: start with the key-encryption key that sealed it, ` +
            `or retire that key (UPDATE deployment_record_key SET retired_at = now() WHERE kid = '${stored.kid}') to generate a new one`,
        );
      }
      return { ...jwk, kid: stored.kid };
    });
    this.current = await this.toSigningKey(privateJwk);
  }

  private async generate(tx: Parameters<RecordKeysRepository['insert']>[0]): Promise<JWK> {
    const privateJwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint({ kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x });
    await this.keys.insert(tx, kid, publicHalf(privateJwk, kid), this.serverKeys.sealSecret(sealContext(kid), JSON.stringify(privateJwk)));
    await this.keys.retireOthers(tx, kid);
    this.logger.log(`generated a new deployment-records signing key ${kid} (stored sealed)`);
    return { ...privateJwk, kid };
  }

  private async toSigningKey(privateJwk: JWK): Promise<RecordSigningKey> {
    const kid = privateJwk.kid!;
    return { kid, publicJwk: publicHalf(privateJwk, kid), key: (await importJWK({ ...privateJwk, alg: 'EdDSA' }, 'EdDSA')) as CryptoKey };
  }
}
