import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The incident's offline limit: how old a status list in the incident pack may be before an offline station treats
 * the credential's status as unavailable (then the incident's status_unavailable_policy decides). Hours, 1 to 168;
 * 24 for existing incidents (what stations used before).
 */
export class IncidentOfflineLimit1765008500000 implements MigrationInterface {
  name = 'IncidentOfflineLimit1765008500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE incident ADD COLUMN offline_status_max_age_hours integer NOT NULL DEFAULT 24
         CONSTRAINT incident_offline_status_max_age_hours_check CHECK (offline_status_max_age_hours BETWEEN 1 AND 168)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE incident DROP COLUMN offline_status_max_age_hours`);
  }
}
