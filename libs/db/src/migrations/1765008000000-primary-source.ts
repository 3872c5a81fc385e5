import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Primary-source licence checks (docs/primary-source.md), owned by @app/primary-source.
 *
 * - `primary_source_policy`: per incident, whether licence-number check-in is accepted, what an indeterminate
 *   lookup does (deny, or admit to non-clinical positions with a warning), and the positions that require a signed
 *   credential. No row: accepted, indeterminate denied, no position reserved.
 * - `primary_source_notice`: every status-change notice a licensing authority pushed, accepted or refused (with its
 *   reason code). The licence only as `licence_number_hash`; (source, notice id) is unique, so a notice delivered
 *   twice acts once.
 */
export class PrimarySource1765008000000 implements MigrationInterface {
  name = 'PrimarySource1765008000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE primary_source_policy (
        incident_id uuid PRIMARY KEY REFERENCES incident (id),
        accept_primary_source boolean NOT NULL,
        on_indeterminate text NOT NULL CHECK (on_indeterminate IN ('deny', 'non_clinical_with_warning')),
        signed_credential_positions uuid[] NOT NULL DEFAULT '{}',
        updated_by uuid NOT NULL REFERENCES app_user (id),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE primary_source_notice (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        source_id text NOT NULL,
        notice_id text,
        licence_number_hash text,
        state text,
        profession text,
        status text,
        body_hash text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('applied', 'refused')),
        refused_code text,
        deployments_flagged integer NOT NULL DEFAULT 0,
        deployments_cleared integer NOT NULL DEFAULT 0,
        received_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((outcome = 'refused') = (refused_code IS NOT NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX primary_source_notice_once ON primary_source_notice (source_id, notice_id) WHERE outcome = 'applied'`);
    await q.query(`CREATE INDEX primary_source_notice_licence ON primary_source_notice (licence_number_hash, received_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE primary_source_notice`);
    await q.query(`DROP TABLE primary_source_policy`);
  }
}
