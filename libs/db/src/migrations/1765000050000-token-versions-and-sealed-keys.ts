import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Access that ends at once, and signing keys kept out of the database's clear text.
 *
 * - `app_user.token_version` is carried in every access token; deactivating a user or changing their role,
 *   jurisdictions or password moves it on, so tokens issued before stop working (the guard compares the two).
 * - `app_user.must_change_password`: a user with a temporary password (the first admin) may only choose a new one.
 * - `server_signing_key.purpose` separates the access-token keys from the audit-checkpoint keys. A generated private
 *   key is kept only sealed (AES-256-GCM under the key-encryption key from the environment) in `sealed_private_key`.
 * - Keys stored in clear until now could have been read (and used) by anyone who could read this table: their private
 *   part is erased and they are retired. They signed both tokens and checkpoints; they become checkpoint keys, so the
 *   checkpoints they signed can still be checked by whoever decides to pin them, and the tokens they signed end now.
 */
export class TokenVersionsAndSealedKeys1765000050000 implements MigrationInterface {
  name = 'TokenVersionsAndSealedKeys1765000050000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app_user ADD COLUMN token_version integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE app_user ADD COLUMN must_change_password boolean NOT NULL DEFAULT false`);

    await q.query(`UPDATE server_signing_key SET private_jwk = NULL, retired_at = COALESCE(retired_at, now())`);
    await q.query(`ALTER TABLE server_signing_key DROP COLUMN private_jwk`);
    await q.query(
      `ALTER TABLE server_signing_key ADD COLUMN purpose text NOT NULL DEFAULT 'audit_checkpoint' CHECK (purpose IN ('access_token', 'audit_checkpoint'))`,
    );
    await q.query(`ALTER TABLE server_signing_key ALTER COLUMN purpose DROP DEFAULT`);
    await q.query(`ALTER TABLE server_signing_key ADD COLUMN sealed_private_key text`);
    await q.query(`CREATE INDEX server_signing_key_active ON server_signing_key (purpose, created_at) WHERE retired_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX server_signing_key_active`);
    await q.query(`ALTER TABLE server_signing_key DROP COLUMN sealed_private_key, DROP COLUMN purpose, ADD COLUMN private_jwk jsonb`);
    await q.query(`ALTER TABLE app_user DROP COLUMN must_change_password, DROP COLUMN token_version`);
  }
}
