import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Incidents, responders, their credentials and verifications, deployments (ICS 211 / resource status) and check-in attempts. */
export class Incidents1764300100000 implements MigrationInterface {
  name = 'Incidents1764300100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE incident (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        number text NOT NULL,
        type text NOT NULL,
        jurisdiction text NOT NULL,
        mutual_aid_jurisdictions text[] NOT NULL DEFAULT '{}',
        status_unavailable_policy text NOT NULL DEFAULT 'admit_with_warning'
          CHECK (status_unavailable_policy IN ('admit_with_warning', 'deny')),
        time_zone text NOT NULL DEFAULT 'UTC',
        state text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'closed')),
        created_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX incident_number_key ON incident (number)`);
    await q.query(`CREATE INDEX incident_jurisdiction ON incident (jurisdiction)`);
    await q.query(`
      CREATE TABLE check_in_location (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        name text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('Base', 'Staging Area', 'ICP', 'Helibase', 'Other')),
        UNIQUE (incident_id, name)
      )`);
    await q.query(`
      CREATE TABLE incident_position (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        name text NOT NULL,
        required_qualifications text[] NOT NULL,
        UNIQUE (incident_id, name)
      )`);
    await q.query(`
      CREATE TABLE operational_period (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        label text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        CHECK (ends_at > starts_at)
      )`);
    await q.query(`
      CREATE TABLE incident_staff (
        incident_id uuid NOT NULL REFERENCES incident (id),
        user_id uuid NOT NULL REFERENCES app_user (id),
        assigned_by uuid REFERENCES app_user (id),
        assigned_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (incident_id, user_id)
      )`);
    await q.query(`CREATE INDEX incident_staff_user ON incident_staff (user_id)`);

    // One person across scans and credentials: by subject id, else by issuer + licence number.
    await q.query(`
      CREATE TABLE responder (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subject_id text,
        issuer_id text,
        license_number text,
        name text NOT NULL,
        email text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX responder_subject_key ON responder (subject_id) WHERE subject_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX responder_licence_key ON responder (issuer_id, license_number) WHERE subject_id IS NULL AND license_number IS NOT NULL`);

    await q.query(`
      CREATE TABLE presented_credential (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        hash text NOT NULL UNIQUE,
        jws text NOT NULL,
        responder_id uuid REFERENCES responder (id),
        format text,
        issuer_id text,
        qualification text,
        license_number text,
        valid_from timestamptz,
        valid_until timestamptz,
        status_entries jsonb NOT NULL DEFAULT '[]',
        key_thumbprint text,
        summary jsonb,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_verified_at timestamptz,
        -- the outcome of the latest verification: a responder's qualifications are those of verified credentials
        last_verified boolean NOT NULL DEFAULT false
      )`);
    await q.query(`CREATE INDEX presented_credential_responder ON presented_credential (responder_id)`);

    await q.query(`
      CREATE TABLE verification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        credential_id uuid REFERENCES presented_credential (id),
        incident_id uuid REFERENCES incident (id),
        kind text NOT NULL CHECK (kind IN ('check_in', 'reverification', 'manual')),
        verified boolean NOT NULL,
        checks jsonb NOT NULL,
        evidence jsonb NOT NULL,
        performed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX verification_credential ON verification (credential_id, performed_at)`);

    await q.query(`
      CREATE TABLE deployment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        responder_id uuid NOT NULL REFERENCES responder (id),
        credential_id uuid NOT NULL REFERENCES presented_credential (id),
        position_id uuid REFERENCES incident_position (id),
        location_id uuid REFERENCES check_in_location (id),
        decision text NOT NULL CHECK (decision IN ('admitted', 'admitted_with_warnings')),
        status text NOT NULL CHECK (status IN ('assigned', 'available', 'out_of_service', 'demobilized')),
        status_reason text CHECK (status_reason IN ('rest', 'personnel', 'credential', 'other')),
        assignment text,
        credential_flag jsonb,
        ics211 jsonb NOT NULL DEFAULT '{}',
        checked_in_at timestamptz NOT NULL,
        checked_in_by uuid REFERENCES app_user (id),
        checked_out_at timestamptz,
        checked_out_by uuid REFERENCES app_user (id),
        last_reverified_at timestamptz,
        version integer NOT NULL DEFAULT 1
      )`);
    // "One active deployment per responder" is a database fact, not a hope.
    await q.query(`CREATE UNIQUE INDEX deployment_one_active_per_responder ON deployment (responder_id) WHERE checked_out_at IS NULL`);
    await q.query(`CREATE INDEX deployment_incident_active ON deployment (incident_id) WHERE checked_out_at IS NULL`);
    await q.query(`CREATE INDEX deployment_incident ON deployment (incident_id, checked_in_at)`);

    // Append-only histories: nothing about a deployment is overwritten without a row here.
    await q.query(`
      CREATE TABLE deployment_status_event (
        id bigserial PRIMARY KEY,
        deployment_id uuid NOT NULL REFERENCES deployment (id),
        from_status text,
        from_reason text,
        from_assignment text,
        to_status text NOT NULL,
        to_reason text,
        to_assignment text,
        note text,
        changed_by jsonb NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX deployment_status_event_deployment ON deployment_status_event (deployment_id, id)`);
    await q.query(`
      CREATE TABLE ics211_edit (
        id bigserial PRIMARY KEY,
        deployment_id uuid NOT NULL REFERENCES deployment (id),
        fields text[] NOT NULL,
        before jsonb NOT NULL,
        after jsonb NOT NULL,
        changed_by jsonb NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX ics211_edit_deployment ON ics211_edit (deployment_id, id)`);

    // Every scan, admitted or denied; the response is kept so a repeated Idempotency-Key replays it exactly.
    await q.query(`
      CREATE TABLE check_in_attempt (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        incident_id uuid NOT NULL REFERENCES incident (id),
        performed_by uuid NOT NULL REFERENCES app_user (id),
        idempotency_key text,
        request_hash text NOT NULL,
        decision text NOT NULL CHECK (decision IN ('admitted', 'admitted_with_warnings', 'denied')),
        reasons jsonb NOT NULL,
        credential_hash text,
        responder_id uuid REFERENCES responder (id),
        deployment_id uuid REFERENCES deployment (id),
        verification_id uuid REFERENCES verification (id),
        location_id uuid REFERENCES check_in_location (id),
        device_id text,
        response_status integer NOT NULL,
        response jsonb NOT NULL,
        performed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX check_in_attempt_idempotency ON check_in_attempt (performed_by, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX check_in_attempt_incident ON check_in_attempt (incident_id, performed_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'check_in_attempt',
      'ics211_edit',
      'deployment_status_event',
      'deployment',
      'verification',
      'presented_credential',
      'responder',
      'incident_staff',
      'operational_period',
      'incident_position',
      'check_in_location',
      'incident',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
