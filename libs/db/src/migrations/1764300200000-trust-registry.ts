import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The trust registry: qualifications (RN, MD, ...) with the rules that recognise them in a credential, and the
 * trusted issuers (licensing boards, national certifiers) with their jurisdictions, authorized qualifications,
 * accepted algorithms and active period. Seeds the default qualification rules (see docs/verification.md).
 */
export class TrustRegistry1764300200000 implements MigrationInterface {
  name = 'TrustRegistry1764300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE qualification (
        code text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        position integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE qualification_rule (
        id bigserial PRIMARY KEY,
        qualification_code text NOT NULL REFERENCES qualification (code) ON DELETE CASCADE ON UPDATE CASCADE,
        position integer NOT NULL,
        achievement_id text,
        achievement_types text[],
        achievement_name text,
        credential_type text,
        CHECK ((achievement_id IS NOT NULL)::int + (achievement_name IS NOT NULL)::int + (credential_type IS NOT NULL)::int = 1),
        CHECK (achievement_name IS NULL OR cardinality(achievement_types) > 0),
        UNIQUE (qualification_code, position)
      )`);
    await q.query(`
      CREATE TABLE trusted_issuer (
        id text PRIMARY KEY CHECK (length(id) BETWEEN 3 AND 2048),
        display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        jurisdictions text[] NOT NULL CHECK (cardinality(jurisdictions) > 0),
        qualifications text[] NOT NULL DEFAULT '{}',
        algorithms text[] NOT NULL DEFAULT '{ES256,ES384,EdDSA}',
        valid_from timestamptz,
        valid_until timestamptz,
        retired_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_until > valid_from)
      )`);
    await q.query(`CREATE INDEX trusted_issuer_jurisdictions ON trusted_issuer USING gin (jurisdictions)`);

    const seed: Array<[string, string, string[], string]> = [
      ['RN', 'Registered Nurse', ['License'], 'Registered Nurse'],
      ['LPN', 'Licensed Practical Nurse', ['License'], 'Licensed Practical Nurse'],
      ['APRN', 'Advanced Practice Registered Nurse', ['License'], 'Advanced Practice Registered Nurse'],
      ['MD', 'Physician', ['License'], 'Physician'],
      ['PARAMEDIC', 'Paramedic', ['License', 'Certification'], 'Paramedic'],
      ['EMT', 'Emergency Medical Technician', ['License', 'Certification'], 'Emergency Medical Technician'],
      ['USAR_TECH', 'Structural Collapse Rescue Technician', ['Certification'], 'Structural Collapse Rescue Technician'],
    ];
    for (const [i, [code, name, types, achievementName]] of seed.entries()) {
      await q.query(`INSERT INTO qualification (code, name, position) VALUES ($1, $2, $3)`, [code, name, i]);
      await q.query(`INSERT INTO qualification_rule (qualification_code, position, achievement_types, achievement_name) VALUES ($1, 0, $2, $3)`, [
        code,
        types,
        achievementName,
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trusted_issuer; DROP TABLE qualification_rule; DROP TABLE qualification`);
  }
}
