import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { Database, type Transaction } from '@app/db';

/** A row of deployment_record_key: the public half, and the private half sealed (when generated here). */
export interface StoredRecordKey {
  kid: string;
  publicJwk: JWK;
  sealedPrivateKey: string | null;
  createdAt: Date;
  retiredAt: Date | null;
}

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  sealed_private_key: string | null;
  created_at: Date;
  retired_at: Date | null;
}

/** Serialises changes to the records key table across processes (a transaction-level advisory lock). */
const RECORD_KEY_LOCK = 7_311_204_330;

const toKey = (r: KeyRow): StoredRecordKey => ({
  kid: r.kid,
  publicJwk: r.public_jwk,
  sealedPrivateKey: r.sealed_private_key,
  createdAt: r.created_at,
  retiredAt: r.retired_at,
});

/** deployment_record_key. Changes run in a transaction that took `lock` first. */
@Injectable()
export class RecordKeysRepository {
  constructor(private readonly database: Database) {}

  /** Every key, retired ones included (records they signed still verify), oldest first. */
  async all(): Promise<StoredRecordKey[]> {
    const rows = await this.database.query<KeyRow>(
      `SELECT kid, public_jwk, sealed_private_key, created_at, retired_at FROM deployment_record_key ORDER BY created_at, kid`,
    );
    return rows.map(toKey);
  }

  async lock(tx: Transaction): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [RECORD_KEY_LOCK]);
  }

  async newestSealed(tx: Transaction): Promise<StoredRecordKey | undefined> {
    const row = await tx.queryOne<KeyRow>(
      `SELECT kid, public_jwk, sealed_private_key, created_at, retired_at FROM deployment_record_key
        WHERE retired_at IS NULL AND sealed_private_key IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
    );
    return row ? toKey(row) : undefined;
  }

  async insert(tx: Transaction, kid: string, publicJwk: JWK, sealedPrivateKey: string | null): Promise<void> {
    await tx.execute(
      `INSERT INTO deployment_record_key (kid, public_jwk, sealed_private_key) VALUES ($1, $2, $3) ON CONFLICT (kid) DO UPDATE SET retired_at = NULL`,
      [kid, publicJwk, sealedPrivateKey],
    );
  }

  async retireOthers(tx: Transaction, keep: string): Promise<void> {
    await tx.execute(`UPDATE deployment_record_key SET retired_at = now() WHERE kid <> $1 AND retired_at IS NULL`, [keep]);
  }
}
