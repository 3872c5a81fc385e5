import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CombinedStatement, Transaction } from '@app/db';
import type { CredentialSummary, VerificationResult } from '@app/credentials';
import type { VerificationKind } from './verification.entity';

export interface ResolvedIdentity {
  responderId: string;
  credentialId: string;
  /** The verification row recorded for this scan. */
  verificationId: string;
  name: string;
  email: string | null;
  /** Qualifications from this responder's currently verified credentials, this one included. */
  qualifications: string[];
  /** The responder's deployment that is not checked out yet, at whichever incident. */
  active: { deploymentId: string; incidentId: string } | null;
  /** Stored identity fields this credential names differently (none for a first scan): applied with history and audit. */
  changes: IdentityChange[];
}

export interface IdentityChange {
  field: 'name' | 'email';
  from: string | null;
  to: string;
}

export interface Presentation {
  summary: CredentialSummary;
  /** What was scanned (a bare JWS or a URL carrying one). */
  scanned: string;
  result: VerificationResult;
  incidentId: string;
  kind: VerificationKind;
  at: Date;
  /** Ids for the rows this presentation creates if its responder and credential are new. */
  ids: { responderId: string; credentialId: string; verificationId: string };
}

/** What `recordPresentations` adds to a statement for the parts that follow it, as SQL. */
export interface RecordedPresentations {
  /** True when no presentation's responder or credential existed before the statement: each is its responder's first scan. */
  allFirstSeen: string;
  /** A final SELECT: one IdentityRow per presentation, in order, when not `allFirstSeen`; no rows when it is. */
  identitiesUnlessFirstSeen: string;
}

/**
 * Whether a credential may say who its holder is: its signature, data model and dates verified and the incident
 * trusts its issuer for it. Only its status may be indeterminate (a list that could not be read: the incident's
 * policy decides on that). Anything else (a key nobody trusts, a board outside its remit, an expired or revoked
 * credential) is a denied attempt that creates, renames and re-keys nobody.
 */
export function establishesIdentity(result: VerificationResult): boolean {
  return result.checks.length > 0 && result.checks.every((c) => c.status === 'pass' || (c.id === 'status' && c.status === 'indeterminate'));
}

/**
 * Records a batch of presentations, each of a credential that establishes identity (establishesIdentity), as parts
 * of a combined statement: the responders, their credentials (kept by hash) and this scan's verifications. A
 * responder is found or created by subject id, else by issuer + licence number, else by the responder the same
 * credential named before; rows created take the ids the presentation carries. A responder found keeps its name and
 * e-mail here (a change is applied with its history and audit entry when the check-in is written: CheckInWriter)
 * and a credential found keeps its responder. Rows are written in key order, so two batches that share people lock
 * them in the same order.
 *
 * The statement runs prepared, with one generic plan made while the tables may be empty: every lookup in it must have
 * one right index whatever the sizes (test/check-in-statement-plan.e2e-spec.ts checks the plan).
 */
export function recordPresentations(write: CombinedStatement, presentations: Presentation[]): RecordedPresentations {
  write.with(
    'presentation',
    `SELECT * FROM jsonb_to_recordset(${write.value(JSON.stringify(presentations.map(asInputRow)))}::jsonb) AS x(
      ord integer, subject_id text, issuer_id text, license_number text, name text, email text, new_responder_id uuid,
      new_credential_id uuid, verification_id uuid,
      hash text, jws text, format text, qualification text, valid_from timestamptz, valid_until timestamptz,
      status_entries jsonb, key_thumbprint text, summary jsonb, verified boolean,
      incident_id uuid, kind text, checks jsonb, evidence jsonb, performed_at timestamptz)`,
    { materialized: true },
  );
  // Read from the snapshot the statement started with, as every part of it is.
  write.with(
    'presentation_first_seen',
    `SELECT coalesce(bool_and(
        NOT EXISTS (SELECT 1 FROM presented_credential pc WHERE pc.hash = i.hash)
        AND (i.subject_id IS NULL OR NOT EXISTS (SELECT 1 FROM responder r WHERE r.subject_id = i.subject_id))
        AND (i.subject_id IS NOT NULL OR i.license_number IS NULL OR NOT EXISTS (
              SELECT 1 FROM responder r WHERE r.subject_id IS NULL AND r.issuer_id = i.issuer_id AND r.license_number = i.license_number))
      ), true) AS all_first_seen
      FROM presentation i`,
    { materialized: true },
  );
  write.with(
    'responder_by_subject',
    `INSERT INTO responder (id, subject_id, name, email)
    SELECT new_responder_id, subject_id, name, email FROM presentation WHERE subject_id IS NOT NULL ORDER BY subject_id
    ON CONFLICT (subject_id) WHERE subject_id IS NOT NULL
    DO UPDATE SET name = responder.name
    RETURNING id, name, email, subject_id`,
  );
  write.with(
    'responder_by_licence',
    `INSERT INTO responder (id, issuer_id, license_number, name, email)
    SELECT new_responder_id, issuer_id, license_number, name, email FROM presentation WHERE subject_id IS NULL AND license_number IS NOT NULL ORDER BY issuer_id, license_number
    ON CONFLICT (issuer_id, license_number) WHERE subject_id IS NULL AND license_number IS NOT NULL
    DO UPDATE SET name = responder.name
    RETURNING id, name, email, issuer_id, license_number`,
  );
  write.with(
    'responder_by_credential',
    `SELECT i.ord, COALESCE((SELECT pc.responder_id FROM presented_credential pc WHERE pc.hash = i.hash), i.new_responder_id) AS responder_id
      FROM presentation i WHERE i.subject_id IS NULL AND i.license_number IS NULL`,
    { materialized: true },
  );
  write.with(
    'responder_by_id',
    `INSERT INTO responder (id, issuer_id, name, email)
    SELECT k.responder_id, i.issuer_id, i.name, i.email FROM responder_by_credential k JOIN presentation i ON i.ord = k.ord ORDER BY k.responder_id
    ON CONFLICT (id) DO UPDATE SET name = responder.name
    RETURNING id, name, email`,
  );
  write.with(
    'presented_responder',
    `SELECT i.ord, s.id, s.name, s.email FROM presentation i JOIN responder_by_subject s ON s.subject_id = i.subject_id
    UNION ALL
    SELECT i.ord, l.id, l.name, l.email FROM presentation i JOIN responder_by_licence l
        ON i.subject_id IS NULL AND l.issuer_id = i.issuer_id AND l.license_number = i.license_number
    UNION ALL
    SELECT k.ord, b.id, b.name, b.email FROM responder_by_credential k JOIN responder_by_id b ON b.id = k.responder_id`,
  );
  write.with(
    'presented_credential_row',
    `INSERT INTO presented_credential (id, hash, jws, responder_id, format, issuer_id, qualification, license_number, valid_from, valid_until, status_entries, key_thumbprint, summary, last_verified_at, last_verified)
    SELECT i.new_credential_id, i.hash, i.jws, r.id, i.format, i.issuer_id, i.qualification, i.license_number, i.valid_from, i.valid_until, i.status_entries, i.key_thumbprint, i.summary, now(), i.verified
      FROM presentation i JOIN presented_responder r ON r.ord = i.ord ORDER BY i.hash
    ON CONFLICT (hash) DO UPDATE SET summary = EXCLUDED.summary, last_verified_at = now(), last_verified = EXCLUDED.last_verified,
      key_thumbprint = EXCLUDED.key_thumbprint
    RETURNING id, hash`,
  );
  write.with(
    'presentation_verification',
    `INSERT INTO verification (id, credential_id, incident_id, kind, verified, checks, evidence, performed_at)
    SELECT i.verification_id, c.id, i.incident_id, i.kind, i.verified, i.checks, i.evidence, i.performed_at FROM presentation i JOIN presented_credential_row c ON c.hash = i.hash
    RETURNING id, credential_id`,
  );
  return {
    allFirstSeen: '(SELECT all_first_seen FROM presentation_first_seen)',
    // What a check-in decides on when its responder was known, from the snapshot before the statement (so the
    // credential's own row is left out and added by identityFrom): their stored name and e-mail, their other verified
    // qualifications and any deployment still active.
    identitiesUnlessFirstSeen: `
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
   WHERE NOT (SELECT all_first_seen FROM presentation_first_seen)
   ORDER BY i.ord`,
  };
}

/** One row of `identitiesUnlessFirstSeen`. */
export interface IdentityRow {
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
 * Who a credential belongs to. One responder across scans and credentials: the credential subject's id when it
 * has one (whichever trusted issuer vouches for it), else the issuer and licence number; the credential itself is
 * kept by its hash. Only credentials that establish identity are recorded (establishesIdentity). A check-in records
 * its presentation in its own statement (recordPresentations, from CheckInWriter); a reverification records its
 * outcome on the credential already kept.
 */
@Injectable()
export class ResponderRegistry {
  async recordVerification(tx: Transaction, credentialId: string, incidentId: string | null, kind: VerificationKind, result: VerificationResult, at: Date): Promise<string> {
    const [{ id }] = (await tx.query(
      `INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [credentialId, incidentId, kind, result.verified, JSON.stringify(result.checks), JSON.stringify(result.evidence), at],
    )) as Array<{ id: string }>;
    return id;
  }
}

function displayName(summary: CredentialSummary): string {
  return summary.subject.name?.trim() || summary.licenseNumber || 'Unnamed responder';
}

/** A presentation as a row of the `presentation` part's input (jsonb_to_recordset column names). */
function asInputRow(p: Presentation, i: number): Record<string, unknown> {
  const { summary, result } = p;
  return {
    ord: i + 1,
    subject_id: summary.subject.id ?? null,
    issuer_id: summary.issuer.id,
    license_number: summary.licenseNumber ?? null,
    name: displayName(summary),
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

/** The identity of a presentation whose responder and credential are new (the ids it carries). */
export function firstSeenIdentity(p: Presentation): ResolvedIdentity {
  return {
    responderId: p.ids.responderId,
    credentialId: p.ids.credentialId,
    verificationId: p.ids.verificationId,
    name: displayName(p.summary),
    email: p.summary.subject.email ?? null,
    qualifications: ownQualification(p),
    active: null,
    changes: [],
  };
}

function ownQualification({ summary, result }: Presentation): string[] {
  return result.verified && summary.qualification && (!summary.validUntil || Date.parse(summary.validUntil) > Date.now()) ? [summary.qualification] : [];
}

/**
 * The identity of a presentation whose responder was known, from what the statement read: the name and e-mail the
 * credential carries (a credential without them keeps the stored ones), and what that changes.
 */
export function identityFrom(p: Presentation, row: IdentityRow): ResolvedIdentity {
  const { summary } = p;
  const own = ownQualification(p);
  const name = summary.subject.name?.trim() || row.name;
  const email = summary.subject.email ?? row.email;
  const changes: IdentityChange[] = [];
  if (name !== row.name) changes.push({ field: 'name', from: row.name, to: name });
  if (email !== null && email !== row.email) changes.push({ field: 'email', from: row.email, to: email });
  return {
    responderId: row.responder_id,
    credentialId: row.credential_id,
    verificationId: row.verification_id,
    name,
    email,
    qualifications: [...new Set([...row.other_qualifications, ...own])].sort(),
    active: row.active_deployment_id && row.active_incident_id ? { deploymentId: row.active_deployment_id, incidentId: row.active_incident_id } : null,
    changes,
  };
}

/** The JWS the decision rests on: the engine names it; else the JWS in the scan (a bare JWS or a URL carrying one). */
function extractJws(scanned: string, result: VerificationResult): string {
  if (result.jws) return result.jws;
  const candidates = scanned.trim().match(/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g) ?? [];
  return candidates.find((c) => createHash('sha256').update(c).digest('hex') === result.evidence.credentialHash) ?? scanned.trim();
}
