import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { MatchingHash } from '@app/common';
import type { CredentialSummary, VerificationResult } from '@app/credentials';
import { CombinedStatement, type SqlScope, type StatementCondition, type StatementPart } from '@app/db';
import { identityFrom, responderName, type KnownResponder, type Presentation, type ResolvedIdentity } from './responder-identity';
import type { ResponderIdentityChange } from './responder';
import type { VerificationKind } from './verification';

/** The presentations a combined statement records, for the parts that follow them and for running it. */
export interface RecordedPresentations {
  /** True when no presentation's responder or credential existed before the statement: each is its responder's first scan. */
  allFirstSeen: StatementCondition;
  /**
   * Runs the statement. When `allFirstSeen` held, nothing is read (empty); else what a check-in decides on, one per
   * presentation in order.
   */
  run(scope: Pick<SqlScope, 'query'>): Promise<ResolvedIdentity[]>;
}

/** What the statement reads of a known presentation's responder (the final SELECT of RecordedPresentations.run). */
interface KnownResponderRow {
  ord: number;
  responder_id: string;
  name: string;
  email: string | null;
  credential_id: string;
  verification_id: string;
  other_qualifications: string[];
  active_deployment_id: string | null;
  active_incident_id: string | null;
}

/**
 * Responders, the credentials they presented (kept by hash) and each verification of them, with the history of
 * their names and e-mails. One responder across scans and credentials: the credential subject's id when it has one
 * (whichever trusted issuer vouches for it), else the issuer and licence number. `responder` keeps both only as their
 * matching hashes (MatchingHash): the clear values live in the credential copy and its summary, which retention purges.
 *
 * A check-in's writes join its combined statement (CheckInRepository); a reverification records its outcome on the
 * credential already kept. The check-in statement runs prepared, with one generic plan made while the tables may be
 * empty: every lookup in it must have one right index whatever the sizes (test/check-in-statement-plan.e2e-spec.ts
 * checks the plan).
 */
@Injectable()
export class ResponderRepository {
  constructor(private readonly matching: MatchingHash) {}

  /** The responder's name as the board shows it ('' if unknown), read in `scope`. */
  async name(scope: SqlScope, responderId: string): Promise<string> {
    const row = await scope.queryOne<{ name: string }>(`SELECT name FROM responder WHERE id = $1`, [responderId]);
    return row?.name ?? '';
  }

  /**
   * Who a verified credential names, found as a check-in finds them (subject id, else issuer and licence number, else
   * the responder this very credential named before), with their deployment not checked out yet at `incidentId`.
   * Reads only: a scan that is no check-in creates and renames nobody.
   */
  async onSceneHolder(
    scope: SqlScope,
    incidentId: string,
    summary: CredentialSummary,
    credentialHash: string,
  ): Promise<{ responderId: string; deploymentId: string | null } | null> {
    const row = await scope.queryOne<{ responder_id: string; deployment_id: string | null }>(
      `WITH holder AS (
         SELECT id FROM responder WHERE $2::text IS NOT NULL AND subject_hash = $2
         UNION ALL
         SELECT id FROM responder WHERE $2::text IS NULL AND $4::text IS NOT NULL AND subject_hash IS NULL AND issuer_id = $3 AND licence_hash = $4
         UNION ALL
         SELECT responder_id FROM presented_credential WHERE hash = $5
         LIMIT 1)
       SELECT h.id AS responder_id,
              (SELECT d.id FROM deployment d WHERE d.responder_id = h.id AND d.incident_id = $1 AND d.checked_out_at IS NULL LIMIT 1) AS deployment_id
       FROM holder h`,
      [incidentId, this.matching.ofOptional(summary.subject.id), summary.issuer.id, this.matching.ofOptional(summary.licenseNumber), credentialHash],
    );
    return row ? { responderId: row.responder_id, deploymentId: row.deployment_id } : null;
  }

  /**
   * Records a batch of presentations, each of a credential that establishes identity, as parts of a combined
   * statement: the responders, their credentials and this scan's verifications. A responder is found or created by
   * subject id, else by issuer + licence number, else by the responder the same credential named before; rows
   * created take the ids the presentation carries. A responder found keeps its name and e-mail here (a change is
   * applied with its history and audit entry by changeIdentities) and a credential found keeps its responder. Rows are
   * written in key order, so two batches that share people lock them in the same order.
   */
  recordPresentations(statement: CombinedStatement, presentations: Presentation[]): RecordedPresentations {
    const input = statement.with(
      'presentation',
      `SELECT * FROM jsonb_to_recordset(${statement.value(JSON.stringify(presentations.map((p, i) => asPresentationRow(p, i, this.matching))))}::jsonb) AS x(
      ord integer, subject_hash text, issuer_id text, licence_hash text, license_number text, name text, email text, new_responder_id uuid,
      new_credential_id uuid, verification_id uuid,
      hash text, jws text, format text, qualification text, valid_from timestamptz, valid_until timestamptz,
      status_entries jsonb, key_thumbprint text, summary jsonb, verified boolean,
      incident_id uuid, kind text, checks jsonb, evidence jsonb, performed_at timestamptz)`,
      { materialized: true },
    );
    // Read from the snapshot the statement started with, as every part of it is.
    const firstSeen = statement.with(
      'presentation_first_seen',
      `SELECT coalesce(bool_and(
        NOT EXISTS (SELECT 1 FROM presented_credential pc WHERE pc.hash = i.hash)
        AND (i.subject_hash IS NULL OR NOT EXISTS (SELECT 1 FROM responder r WHERE r.subject_hash = i.subject_hash))
        AND (i.subject_hash IS NOT NULL OR i.licence_hash IS NULL OR NOT EXISTS (
              SELECT 1 FROM responder r WHERE r.subject_hash IS NULL AND r.issuer_id = i.issuer_id AND r.licence_hash = i.licence_hash))
      ), true) AS all_first_seen
      FROM ${input.name} i`,
      { materialized: true },
    );
    statement.with(
      'responder_by_subject',
      `INSERT INTO responder (id, subject_hash, name, email)
    SELECT new_responder_id, subject_hash, name, email FROM presentation WHERE subject_hash IS NOT NULL ORDER BY subject_hash
    ON CONFLICT (subject_hash) WHERE subject_hash IS NOT NULL
    DO UPDATE SET name = responder.name
    RETURNING id, name, email, subject_hash`,
    );
    statement.with(
      'responder_by_licence',
      `INSERT INTO responder (id, issuer_id, licence_hash, name, email)
    SELECT new_responder_id, issuer_id, licence_hash, name, email FROM presentation WHERE subject_hash IS NULL AND licence_hash IS NOT NULL ORDER BY issuer_id, licence_hash
    ON CONFLICT (issuer_id, licence_hash) WHERE subject_hash IS NULL AND licence_hash IS NOT NULL
    DO UPDATE SET name = responder.name
    RETURNING id, name, email, issuer_id, licence_hash`,
    );
    statement.with(
      'responder_by_credential',
      `SELECT i.ord, COALESCE((SELECT pc.responder_id FROM presented_credential pc WHERE pc.hash = i.hash), i.new_responder_id) AS responder_id
      FROM presentation i WHERE i.subject_hash IS NULL AND i.licence_hash IS NULL`,
      { materialized: true },
    );
    statement.with(
      'responder_by_id',
      `INSERT INTO responder (id, issuer_id, name, email)
    SELECT k.responder_id, i.issuer_id, i.name, i.email FROM responder_by_credential k JOIN presentation i ON i.ord = k.ord ORDER BY k.responder_id
    ON CONFLICT (id) DO UPDATE SET name = responder.name
    RETURNING id, name, email`,
    );
    statement.with(
      'presented_responder',
      `SELECT i.ord, s.id, s.name, s.email FROM presentation i JOIN responder_by_subject s ON s.subject_hash = i.subject_hash
    UNION ALL
    SELECT i.ord, l.id, l.name, l.email FROM presentation i JOIN responder_by_licence l
        ON i.subject_hash IS NULL AND l.issuer_id = i.issuer_id AND l.licence_hash = i.licence_hash
    UNION ALL
    SELECT k.ord, b.id, b.name, b.email FROM responder_by_credential k JOIN responder_by_id b ON b.id = k.responder_id`,
    );
    statement.with(
      'presented_credential_row',
      `INSERT INTO presented_credential (id, hash, jws, responder_id, format, issuer_id, qualification, license_number, valid_from, valid_until, status_entries, key_thumbprint, summary, last_verified_at, last_verified)
    SELECT i.new_credential_id, i.hash, i.jws, r.id, i.format, i.issuer_id, i.qualification, i.license_number, i.valid_from, i.valid_until, i.status_entries, i.key_thumbprint, i.summary, now(), i.verified
      FROM presentation i JOIN presented_responder r ON r.ord = i.ord ORDER BY i.hash
    ON CONFLICT (hash) DO UPDATE SET summary = EXCLUDED.summary, last_verified_at = now(), last_verified = EXCLUDED.last_verified,
      key_thumbprint = EXCLUDED.key_thumbprint, jws = EXCLUDED.jws, purged_at = NULL
    RETURNING id, hash`,
    );
    statement.with(
      'presentation_verification',
      `INSERT INTO verification (id, credential_id, incident_id, kind, verified, checks, evidence, performed_at)
    SELECT i.verification_id, c.id, i.incident_id, i.kind, i.verified, i.checks, i.evidence, i.performed_at FROM presentation i JOIN presented_credential_row c ON c.hash = i.hash
    RETURNING id, credential_id`,
    );
    const allFirstSeen = `(SELECT all_first_seen FROM ${firstSeen.name})`;
    // What a check-in decides on when its responder was known, from the snapshot before the statement (so the
    // credential's own row is left out and added by identityFrom): their stored name and e-mail, their other verified
    // qualifications and any deployment still active.
    const knownUnlessFirstSeen = `
  SELECT i.ord, r.id AS responder_id, r.name, r.email, c.id AS credential_id, v.id AS verification_id,
         ARRAY(SELECT DISTINCT pc.qualification FROM presented_credential pc
                WHERE pc.responder_id = r.id AND pc.hash <> i.hash AND pc.last_verified AND pc.qualification IS NOT NULL
                  AND (pc.valid_until IS NULL OR pc.valid_until > now())) AS other_qualifications,
         active.id AS active_deployment_id, active.incident_id AS active_incident_id
    FROM presentation i
    JOIN presented_responder r ON r.ord = i.ord
    JOIN presented_credential_row c ON c.hash = i.hash
    JOIN presentation_verification v ON v.credential_id = c.id
    LEFT JOIN LATERAL (SELECT d.id, d.incident_id FROM deployment d WHERE d.responder_id = r.id AND d.checked_out_at IS NULL LIMIT 1) active ON true
   WHERE NOT ${allFirstSeen}
   ORDER BY i.ord`;
    return {
      allFirstSeen: statement.condition(allFirstSeen),
      run: async (scope) => {
        const rows = await statement.run<KnownResponderRow>(scope, knownUnlessFirstSeen);
        if (rows.length === 0) return [];
        if (rows.length !== presentations.length) throw new Error(`ResponderRepository: ${rows.length} identities for ${presentations.length} presentations`);
        return rows.map((row, i) => identityFrom(presentations[i], toKnownResponder(row)));
      },
    };
  }

  /**
   * Applies known responders' changed names and e-mails (the latest check-in's value when a batch has several) and
   * appends their history, as parts of a combined statement. The responder rows are locked after `after` (the audit
   * chain head), the order the rest of the statement takes its locks in. `when` false leaves them out.
   */
  changeIdentities(
    statement: CombinedStatement,
    incidentId: string,
    changes: ResponderIdentityChange[],
    options: { after?: StatementPart; when?: StatementCondition } = {},
  ): void {
    const incident = statement.value(incidentId);
    const input = statement.with(
      'identity_change_input',
      `SELECT * FROM jsonb_to_recordset(${statement.value(JSON.stringify(changes.map(asIdentityChangeRow)))}::jsonb) AS x(
       ord integer, responder_id uuid, field text, old_value text, new_value text, issuer_id text, credential_hash text, attempt_id uuid,
       changed_at timestamptz)
     ${CombinedStatement.where(options.when)}`,
      { materialized: true },
    );
    const latest = statement.with(
      'identity_change_latest',
      `SELECT DISTINCT ON (responder_id, field) responder_id, field, new_value FROM ${input.name} ORDER BY responder_id, field, ord DESC`,
      { materialized: true },
    );
    // The responders as an array (an index lookup each, whatever the plan thinks of the input's size); reading every
    // row of `after` while building it makes PostgreSQL run that first.
    const ranFirst = options.after ? `, (SELECT count(*) FROM ${options.after.name}) AS ran_first` : '';
    const latestValue = (field: ResponderIdentityChange['field']) =>
      `(SELECT l.new_value FROM ${latest.name} l WHERE l.responder_id = r.id AND l.field = '${field}')`;
    statement.with(
      'identity_change_applied',
      `UPDATE responder r SET name = COALESCE(${latestValue('name')}, r.name), email = COALESCE(${latestValue('email')}, r.email), updated_at = now()
      WHERE r.id = ANY (ARRAY(SELECT DISTINCT responder_id FROM ${input.name}${ranFirst}))
      RETURNING r.id`,
    );
    statement.with(
      'identity_change_row',
      `INSERT INTO responder_identity_change (responder_id, field, old_value, new_value, issuer_id, credential_hash, incident_id, attempt_id, changed_at)
     SELECT responder_id, field, old_value, new_value, issuer_id, credential_hash, ${incident}::uuid, attempt_id, changed_at FROM ${input.name} ORDER BY ord`,
    );
  }

  /** Records a verification of a credential already kept (a reverification's outcome, say); returns its id. */
  async recordVerification(
    scope: Pick<SqlScope, 'query'>,
    credentialId: string,
    incidentId: string | null,
    kind: VerificationKind,
    result: VerificationResult,
    at: Date,
  ): Promise<string> {
    const [row] = await scope.query<{ id: string }>(
      `INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [credentialId, incidentId, kind, result.verified, JSON.stringify(result.checks), JSON.stringify(result.evidence), at],
    );
    return row.id;
  }
}

function toKnownResponder(row: KnownResponderRow): KnownResponder {
  return {
    responderId: row.responder_id,
    name: row.name,
    email: row.email,
    credentialId: row.credential_id,
    verificationId: row.verification_id,
    otherQualifications: row.other_qualifications,
    active: row.active_deployment_id && row.active_incident_id ? { deploymentId: row.active_deployment_id, incidentId: row.active_incident_id } : null,
  };
}

/** A presentation as a row of the `presentation` part's input (jsonb_to_recordset column names). */
function asPresentationRow(p: Presentation, i: number, matching: MatchingHash): Record<string, unknown> {
  const { summary, result } = p;
  return {
    ord: i + 1,
    subject_hash: matching.ofOptional(summary.subject.id),
    issuer_id: summary.issuer.id,
    licence_hash: matching.ofOptional(summary.licenseNumber),
    // Kept in clear on the credential row only: the ICS 211 and reports show it.
    license_number: summary.licenseNumber ?? null,
    name: responderName(summary),
    email: summary.subject.email ?? null,
    new_responder_id: p.ids.responderId,
    new_credential_id: p.ids.credentialId,
    verification_id: p.ids.verificationId,
    hash: result.evidence.credentialHash,
    jws: extractJws(p.scanned, result),
    format: summary.format,
    qualification: summary.qualification ?? null,
    valid_from: summary.validFrom ?? null,
    valid_until: summary.validUntil ?? null,
    status_entries: summary.status,
    key_thumbprint: result.evidence.keyThumbprint ?? null,
    summary,
    verified: result.verified,
    incident_id: p.incidentId,
    kind: p.kind,
    checks: result.checks,
    evidence: result.evidence,
    performed_at: p.at.toISOString(),
  };
}

/** A change as a row of the `identity_change_input` part's input (jsonb_to_recordset column names). */
function asIdentityChangeRow(c: ResponderIdentityChange, i: number): Record<string, unknown> {
  return {
    ord: i + 1,
    responder_id: c.responderId,
    field: c.field,
    old_value: c.from,
    new_value: c.to,
    issuer_id: c.issuerId,
    credential_hash: c.credentialHash,
    attempt_id: c.attemptId,
    changed_at: c.changedAt.toISOString(),
  };
}

/** The JWS the decision rests on: the engine names it; else the JWS in the scan (a bare JWS or a URL carrying one). */
function extractJws(scanned: string, result: VerificationResult): string {
  if (result.jws) return result.jws;
  const candidates = scanned.trim().match(/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g) ?? [];
  return candidates.find((c) => createHash('sha256').update(c).digest('hex') === result.evidence.credentialHash) ?? scanned.trim();
}
