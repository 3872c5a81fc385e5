import { Injectable } from '@nestjs/common';
import type { JWK } from 'jose';
import { Database, type Transaction } from '@app/db';

/** A row of deployment_record_key: the public half, and the private half sealed (when generated here). */
export interface StoredRecordKey {
  kid: string;
  publicJwk: JWK;
  sealedPrivateKey: string | null;
  createdAt: Date;
  activatesAt: Date;
  retiredAt: Date | null;
}

interface KeyRow {
  kid: string;
  public_jwk: JWK;
  sealed_private_key: string | null;
  created_at: Date;
  activates_at: Date;
  retired_at: Date | null;
}

/** Serialises changes to the records key table across processes (a transaction-level advisory lock). */
const RECORD_KEY_LOCK = 7_311_204_330;
const COLUMNS = 'kid, public_jwk, sealed_private_key, created_at, activates_at, retired_at';

const toKey = (r: KeyRow): StoredRecordKey => ({
  kid: r.kid,
  publicJwk: r.public_jwk,
  sealedPrivateKey: r.sealed_private_key,
  createdAt: r.created_at,
  activatesAt: r.activates_at,
  retiredAt: r.retired_at,
});

/** deployment_record_key. Changes run in a transaction that took `lock` first. */
@Injectable()
export class RecordKeysRepository {
  constructor(private readonly database: Database) {}

  /** Every key (records they signed still verify), oldest first. */
  async all(): Promise<StoredRecordKey[]> {
    const rows = await this.database.query<KeyRow>(`SELECT ${COLUMNS} FROM deployment_record_key ORDER BY created_at, kid`);
    return rows.map(toKey);
  }

  async lock(tx: Transaction): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [RECORD_KEY_LOCK]);
  }

  /** The key that signs now: the latest to have become active, not retired. */
  async active(scope: Pick<Transaction, 'queryOne'> = this.database): Promise<StoredRecordKey | undefined> {
    const row = await scope.queryOne<KeyRow>(
      `SELECT ${COLUMNS} FROM deployment_record_key WHERE retired_at IS NULL AND activates_at <= now() ORDER BY activates_at DESC, created_at DESC LIMIT 1`,
    );
    return row ? toKey(row) : undefined;
  }

  /** Stores a key (or puts a configured one back in use). */
  async insert(tx: Transaction, key: { kid: string; publicJwk: JWK; sealedPrivateKey: string | null; activatesAt: Date }): Promise<void> {
    await tx.execute(
      `INSERT INTO deployment_record_key (kid, public_jwk, sealed_private_key, activates_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (kid) DO UPDATE SET retired_at = NULL`,
      [key.kid, key.publicJwk, key.sealedPrivateKey, key.activatesAt],
    );
  }

  /** Stops every other key from signing (they stay published). */
  async retireOthers(tx: Transaction, keep: string): Promise<void> {
    await tx.execute(`UPDATE deployment_record_key SET retired_at = now() WHERE kid <> $1 AND retired_at IS NULL`, [keep]);
  }
}
