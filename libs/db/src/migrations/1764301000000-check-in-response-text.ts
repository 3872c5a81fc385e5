import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A check-in attempt keeps its response as the JSON text that was sent, not as jsonb. A repeated Idempotency-Key
 * then gets the same bytes (jsonb reorders keys), the api serializes each response once, and PostgreSQL stores the
 * text as given instead of parsing ~4 KB of JSON into jsonb per check-in (inserting stored responses took 94 to 103
 * µs of backend CPU per row as text against 131 to 161 µs as jsonb; docs/check-in.md). Read as JSON where needed
 * with response::jsonb.
 */
export class CheckInResponseText1764301000000 implements MigrationInterface {
  name = 'CheckInResponseText1764301000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_in_attempt ALTER COLUMN response TYPE text USING response::text`);
    await this.compressWithLz4(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE check_in_attempt ALTER COLUMN response TYPE jsonb USING response::jsonb`);
    await this.compressWithLz4(q);
  }

  /** As migration 1764300800000 set it: lz4 where the server has it. */
  private async compressWithLz4(q: QueryRunner): Promise<void> {
    await q.query(
      `DO $$ BEGIN ALTER TABLE check_in_attempt ALTER COLUMN response SET COMPRESSION lz4;
         EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE 'lz4 not available: values stay pglz-compressed'; END $$`,
    );
  }
}
