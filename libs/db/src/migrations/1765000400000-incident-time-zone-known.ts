import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incidents whose time zone PostgreSQL does not know (accepted before the api checked it) get UTC: reports split
 * hours at midnight in the incident's zone and failed on such a name. Names PostgreSQL can use are left as they are.
 */
export class IncidentTimeZoneKnown1765000400000 implements MigrationInterface {
  name = 'IncidentTimeZoneKnown1765000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      DECLARE zone text;
      BEGIN
        FOR zone IN SELECT DISTINCT time_zone FROM incident LOOP
          BEGIN
            PERFORM now() AT TIME ZONE zone;
          EXCEPTION WHEN invalid_parameter_value THEN
            UPDATE incident SET time_zone = 'UTC' WHERE time_zone = zone;
          END;
        END LOOP;
      END $$`);
  }

  async down(): Promise<void> {
    // The unknown names are not kept: there is nothing to restore.
  }
}
