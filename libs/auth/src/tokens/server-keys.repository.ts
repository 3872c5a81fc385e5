import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { Database, type Transaction } from '@app/db';

/** Access tokens, audit checkpoints and incident packs are signed with different keys: one leaking never forges another's. */
export type KeyPurpose = 'access_token' | 'audit_checkpoint' | 'incident_pack';

/** A row of server_signing_key: the public half, and the private half sealed under the key-encryption key (if generated). */
export interface StoredKey {
  kid: string;
  purpose: KeyPurpose;
  publicJwk: JWK;
  sealedPrivateKey: string | null;
  retiredAt: Date | null;
}

interface KeyRow {
  kid: string;
  purpose: KeyPurpose;
  public_jwk: JWK;
  sealed_private_key: string | null;
  retired_at: Date | null;
}

/** Serialises every change to the key table across processes (a transaction-level advisory lock). */
const KEY_LOCK = 7_311_204_212;

const toStoredKey = (r: KeyRow): StoredKey => ({
  kid: r.kid,
  purpose: r.purpose,
  publicJwk: r.public_jwk,
  sealedPrivateKey: r.sealed_private_key,
  retiredAt: r.retired_at,
});

/** server_signing_key. Changes run in a transaction that took `lockKeys` first. */
@Injectable()
export class ServerKeysRepository {
  constructor(private readonly db: Database) {}

  /** Every key, oldest first. */
  async all(): Promise<StoredKey[]> {
    const rows = await this.db.query<KeyRow>(`SELECT kid, purpose, public_jwk, sealed_private_key, retired_at FROM server_signing_key ORDER BY created_at`);
    return rows.map(toStoredKey);
  }

  /** Waits for, then holds until the transaction ends, the lock every change to the key table takes. */
  async lockKeys(tx: Transaction): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
  }

  async findByKid(tx: Transaction, kid: string): Promise<StoredKey | undefined> {
    const row = await tx.queryOne<KeyRow>(`SELECT kid, purpose, public_jwk, sealed_private_key, retired_at FROM server_signing_key WHERE kid = $1`, [kid]);
    return row ? toStoredKey(row) : undefined;
  }

  /** The newest key of this purpose that is in use and has a sealed private half. */
  async newestSealed(tx: Transaction, purpose: KeyPurpose): Promise<StoredKey | undefined> {
    const row = await tx.queryOne<KeyRow>(
      `SELECT kid, purpose, public_jwk, sealed_private_key, retired_at FROM server_signing_key
        WHERE purpose = $1 AND retired_at IS NULL AND sealed_private_key IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
      [purpose],
    );
    return row ? toStoredKey(row) : undefined;
  }

  /** Stores a configured key's public half, or puts it back in use if it was retired. */
  async registerPublic(tx: Transaction, kid: string, purpose: KeyPurpose, publicJwk: JWK): Promise<void> {
    await tx.execute(`INSERT INTO server_signing_key (kid, purpose, public_jwk) VALUES ($1, $2, $3) ON CONFLICT (kid) DO UPDATE SET retired_at = NULL`, [
      kid,
      purpose,
      publicJwk,
    ]);
  }

  async insertSealed(tx: Transaction, kid: string, purpose: KeyPurpose, publicJwk: JWK, sealedPrivateKey: string): Promise<void> {
    await tx.execute(`INSERT INTO server_signing_key (kid, purpose, public_jwk, sealed_private_key) VALUES ($1, $2, $3, $4)`, [
      kid,
      purpose,
      publicJwk,
      sealedPrivateKey,
    ]);
  }

  /** Retires every key of this purpose still in use, except `keep`. */
  async retireOthers(tx: Transaction, purpose: KeyPurpose, keep?: string): Promise<void> {
    if (keep === undefined) await tx.execute(`UPDATE server_signing_key SET retired_at = now() WHERE purpose = $1 AND retired_at IS NULL`, [purpose]);
    else await tx.execute(`UPDATE server_signing_key SET retired_at = now() WHERE purpose = $1 AND kid <> $2 AND retired_at IS NULL`, [purpose, keep]);
  }
}
