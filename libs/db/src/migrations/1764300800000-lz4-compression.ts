import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The large values every check-in writes: its stored response, the credential and its verification, audit and board payloads. */
const COLUMNS: Array<[table: string, column: string]> = [
  ['check_in_attempt', 'response'],
  ['presented_credential', 'jws'],
  ['presented_credential', 'summary'],
  ['verification', 'checks'],
  ['verification', 'evidence'],
  ['audit_entry', 'payload'],
  ['outbox_event', 'payload'],
  ['deployment', 'ics211'],
];

/**
 * Large values are compressed with lz4 instead of PostgreSQL's default pglz: several times less CPU for about the
 * same size (pglz was ~5% of PostgreSQL's CPU at check-in saturation, bench:checkin). Applies to values written from
 * now on; a server built without lz4 keeps pglz (the statement is refused, nothing else changes).
 */
export class Lz4Compression1764300800000 implements MigrationInterface {
  name = 'Lz4Compression1764300800000';

  async up(q: QueryRunner): Promise<void> {
    await this.setCompression(q, 'lz4');
  }

  async down(q: QueryRunner): Promise<void> {
    await this.setCompression(q, 'pglz');
  }

  private async setCompression(q: QueryRunner, method: 'lz4' | 'pglz'): Promise<void> {
    const alter = COLUMNS.map(([table, column]) => `ALTER TABLE ${table} ALTER COLUMN ${column} SET COMPRESSION ${method};`).join('\n');
    await q.query(`DO $$ BEGIN ${alter} EXCEPTION WHEN feature_not_supported THEN RAISE NOTICE 'lz4 not available: values stay pglz-compressed'; END $$`);
  }
}
