import type { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationMatchingHashKey } from '../migration-keys';

/**
 * A responder is matched by the keyed hash (HMAC-SHA256 under MATCHING_HASH_KEY, pgcrypto's hmac here, node:crypto
 * in the application: the same hex) of the credential subject's id, else of the licence number as presented with
 * the issuer: `responder` keeps neither in clear. Purged credential copies lose the subject id from their summary as
 * the purge now does (a primary-source licence's subject id is itself a hash and stays: re-lookups match it).
 */
export class ResponderMatchingHashes1765010000000 implements MigrationInterface {
  name = 'ResponderMatchingHashes1765010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE responder ADD COLUMN subject_hash text, ADD COLUMN licence_hash text`);
    const [{ n }] = (await q.query(`SELECT count(*)::int AS n FROM responder WHERE subject_id IS NOT NULL OR license_number IS NOT NULL`)) as Array<{
      n: number;
    }>;
    if (n > 0) {
      await q.query(
        `UPDATE responder
            SET subject_hash = CASE WHEN subject_id IS NULL THEN NULL ELSE encode(hmac(convert_to(subject_id, 'UTF8'), $1::bytea, 'sha256'), 'hex') END,
                licence_hash = CASE WHEN license_number IS NULL THEN NULL ELSE encode(hmac(convert_to(license_number, 'UTF8'), $1::bytea, 'sha256'), 'hex') END
          WHERE subject_id IS NOT NULL OR license_number IS NOT NULL`,
        [migrationMatchingHashKey()],
      );
    }
    await q.query(`DROP INDEX responder_subject_key`);
    await q.query(`DROP INDEX responder_licence_key`);
    await q.query(`ALTER TABLE responder DROP COLUMN subject_id, DROP COLUMN license_number`);
    await q.query(`CREATE UNIQUE INDEX responder_subject_key ON responder (subject_hash) WHERE subject_hash IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX responder_licence_key ON responder (issuer_id, licence_hash) WHERE subject_hash IS NULL AND licence_hash IS NOT NULL`);
    await q.query(
      `UPDATE presented_credential SET summary = summary #- '{subject,id}'
        WHERE jws IS NULL AND format IS DISTINCT FROM 'primary-source' AND summary #> '{subject,id}' IS NOT NULL`,
    );
  }

  async down(): Promise<void> {
    throw new Error('ResponderMatchingHashes1765010000000 cannot be undone: the clear subject ids and licence numbers are gone');
  }
}
