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
  createdAt: Date;
  /** Signs from here (a rotated key is published first, so verifiers that cache key sets have it before it signs). */
  activatesAt: Date;
  /** Stops signing here (may be in the future: the moment its successor activates). */
  retiredAt: Date | null;
  /** Verifies what it signed until here; null: as long as its purpose allows. */
  verifiesUntil: Date | null;
}

interface KeyRow {
  kid: string;
  purpose: KeyPurpose;
  public_jwk: JWK;
  sealed_private_key: string | null;
  created_at: Date;
  activates_at: Date;
  retired_at: Date | null;
  verifies_until: Date | null;
}

const COLUMNS = 'kid, purpose, public_jwk, sealed_private_key, created_at, activates_at, retired_at, verifies_until';

/** Serialises every change to the key table across processes (a transaction-level advisory lock). */
const KEY_LOCK = 7_311_204_212;

const toStoredKey = (r: KeyRow): StoredKey => ({
  kid: r.kid,
  purpose: r.purpose,
  publicJwk: r.public_jwk,
  sealedPrivateKey: r.sealed_private_key,
  createdAt: r.created_at,
  activatesAt: r.activates_at,
  retiredAt: r.retired_at,
  verifiesUntil: r.verifies_until,
});

/** server_signing_key. Changes run in a transaction that took `lockKeys` first. */
@Injectable()
export class ServerKeysRepository {
  constructor(private readonly db: Database) {}

  /** Every key, oldest first. */
  async all(): Promise<StoredKey[]> {
    const rows = await this.db.query<KeyRow>(`SELECT ${COLUMNS} FROM server_signing_key ORDER BY created_at, kid`);
    return rows.map(toStoredKey);
  }

  /** Waits for, then holds until the transaction ends, the lock every change to the key table takes. */
  async lockKeys(tx: Transaction): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [KEY_LOCK]);
  }

  async findByKid(tx: Transaction, kid: string): Promise<StoredKey | undefined> {
    const row = await tx.queryOne<KeyRow>(`SELECT ${COLUMNS} FROM server_signing_key WHERE kid = $1`, [kid]);
    return row ? toStoredKey(row) : undefined;
  }

  /** The newest key of this purpose with a sealed private half that signs now or will (announced by a rotation). */
  async newestSealed(tx: Transaction, purpose: KeyPurpose): Promise<StoredKey | undefined> {
    const row = await tx.queryOne<KeyRow>(
      `SELECT ${COLUMNS} FROM server_signing_key
        WHERE purpose = $1 AND (retired_at IS NULL OR retired_at > now()) AND sealed_private_key IS NOT NULL ORDER BY activates_at DESC, created_at DESC LIMIT 1`,
      [purpose],
    );
    return row ? toStoredKey(row) : undefined;
  }

  /** The keys of this purpose not yet retired, or retired in the future (still signing until their successor activates). */
  async inUse(tx: Transaction, purpose: KeyPurpose): Promise<StoredKey[]> {
    const rows = await tx.query<KeyRow>(
      `SELECT ${COLUMNS} FROM server_signing_key WHERE purpose = $1 AND (retired_at IS NULL OR retired_at > now()) ORDER BY activates_at, created_at`,
      [purpose],
    );
    return rows.map(toStoredKey);
  }

  /** Stores a configured key's public half, or puts it back in use if it was retired. */
  async registerPublic(tx: Transaction, kid: string, purpose: KeyPurpose, publicJwk: JWK): Promise<void> {
    await tx.execute(
      `INSERT INTO server_signing_key (kid, purpose, public_jwk) VALUES ($1, $2, $3) ON CONFLICT (kid) DO UPDATE SET retired_at = NULL, verifies_until = NULL`,
      [kid, purpose, publicJwk],
    );
  }

  async insertSealed(tx: Transaction, kid: string, purpose: KeyPurpose, publicJwk: JWK, sealedPrivateKey: string, activatesAt?: Date): Promise<void> {
    await tx.execute(
      `INSERT INTO server_signing_key (kid, purpose, public_jwk, sealed_private_key, activates_at) VALUES ($1, $2, $3, $4, coalesce($5::timestamptz, now()))`,
      [kid, purpose, publicJwk, sealedPrivateKey, activatesAt ?? null],
    );
  }

  /** Ends a key's signing at `retiresAt` (its successor's activation) and its verifying at `verifiesUntil`. */
  async scheduleRetirement(tx: Transaction, kid: string, retiresAt: Date, verifiesUntil: Date | null): Promise<void> {
    await tx.execute(`UPDATE server_signing_key SET retired_at = $2, verifies_until = $3 WHERE kid = $1`, [kid, retiresAt, verifiesUntil]);
  }

  /** Retires every key of this purpose still in use, except `keep`. */
  async retireOthers(tx: Transaction, purpose: KeyPurpose, keep?: string): Promise<void> {
    if (keep === undefined) await tx.execute(`UPDATE server_signing_key SET retired_at = now() WHERE purpose = $1 AND retired_at IS NULL`, [purpose]);
    else await tx.execute(`UPDATE server_signing_key SET retired_at = now() WHERE purpose = $1 AND kid <> $2 AND retired_at IS NULL`, [purpose, keep]);
  }
}
