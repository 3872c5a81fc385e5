import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { GroupCommit, PreparedStatements, type SqlRunner } from '@app/common';
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
}

export interface Presentation {
  summary: CredentialSummary;
  /** What was scanned (a bare JWS or a URL carrying one). */
  scanned: string;
  result: VerificationResult;
  incidentId: string;
  kind: VerificationKind;
  at: Date;
}

/**
 * The responders, their credentials (kept by hash) and this scan's verifications for a batch of presentations, in one
 * statement, with what each check-in decides on: the responder's other verified qualifications and active
 * deployment. A responder is found or created by subject id, else by issuer + licence number, else by the responder
 * the same credential named before (or a new one). The sub-queries read the snapshot from before the statement, so
 * a credential's own row is left out there and added by the caller. Rows are written in key order, so two batches
 * that share people lock them in the same order.
 *
 * It runs as a prepared statement with one generic plan, made while the tables may be empty: every lookup in it
 * must have one right index whatever the sizes (test/responder-identify-plan.e2e-spec.ts checks the plan).
 */
export const IDENTIFY = `
  WITH input AS MATERIALIZED (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
      ord integer, subject_id text, issuer_id text, license_number text, name text, email text, new_responder_id uuid,
      hash text, jws text, format text, qualification text, valid_from timestamptz, valid_until timestamptz,
      status_entries jsonb, key_thumbprint text, summary jsonb, verified boolean,
      incident_id uuid, kind text, checks jsonb, evidence jsonb, performed_at timestamptz)
  ),
  by_subject AS (
    INSERT INTO responder (subject_id, name, email)
    SELECT subject_id, name, email FROM input WHERE subject_id IS NOT NULL ORDER BY subject_id
    ON CONFLICT (subject_id) WHERE subject_id IS NOT NULL
    DO UPDATE SET name = EXCLUDED.name, email = COALESCE(EXCLUDED.email, responder.email), updated_at = now()
    RETURNING id, email, subject_id
  ),
  by_licence AS (
    INSERT INTO responder (issuer_id, license_number, name, email)
    SELECT issuer_id, license_number, name, email FROM input WHERE subject_id IS NULL AND license_number IS NOT NULL ORDER BY issuer_id, license_number
    ON CONFLICT (issuer_id, license_number) WHERE subject_id IS NULL AND license_number IS NOT NULL
    DO UPDATE SET name = EXCLUDED.name, email = COALESCE(EXCLUDED.email, responder.email), updated_at = now()
    RETURNING id, email, issuer_id, license_number
  ),
  by_credential AS MATERIALIZED (
    SELECT i.ord, COALESCE((SELECT pc.responder_id FROM presented_credential pc WHERE pc.hash = i.hash), i.new_responder_id) AS responder_id
      FROM input i WHERE i.subject_id IS NULL AND i.license_number IS NULL
  ),
  by_id AS (
    INSERT INTO responder (id, issuer_id, name, email)
    SELECT k.responder_id, i.issuer_id, i.name, i.email FROM by_credential k JOIN input i ON i.ord = k.ord ORDER BY k.responder_id
    ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = COALESCE(EXCLUDED.email, responder.email), updated_at = now()
    RETURNING id, email
  ),
  r AS (
    SELECT i.ord, s.id, s.email FROM input i JOIN by_subject s ON s.subject_id = i.subject_id
    UNION ALL
    SELECT i.ord, l.id, l.email FROM input i JOIN by_licence l
        ON i.subject_id IS NULL AND l.issuer_id = i.issuer_id AND l.license_number = i.license_number
    UNION ALL
    SELECT k.ord, b.id, b.email FROM by_credential k JOIN by_id b ON b.id = k.responder_id
  ),
  c AS (
    INSERT INTO presented_credential (hash, jws, responder_id, format, issuer_id, qualification, license_number, valid_from, valid_until, status_entries, key_thumbprint, summary, last_verified_at, last_verified)
    SELECT i.hash, i.jws, r.id, i.format, i.issuer_id, i.qualification, i.license_number, i.valid_from, i.valid_until, i.status_entries, i.key_thumbprint, i.summary, now(), i.verified
      FROM input i JOIN r ON r.ord = i.ord ORDER BY i.hash
    ON CONFLICT (hash) DO UPDATE SET summary = EXCLUDED.summary, last_verified_at = now(), last_verified = EXCLUDED.last_verified,
      key_thumbprint = EXCLUDED.key_thumbprint, responder_id = EXCLUDED.responder_id
    RETURNING id, hash
  ),
  v AS (
    INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at)
    SELECT c.id, i.incident_id, i.kind, i.verified, i.checks, i.evidence, i.performed_at FROM input i JOIN c ON c.hash = i.hash
    RETURNING id, credential_id
  )
  SELECT i.ord, r.id AS responder_id, r.email, c.id AS credential_id, v.id AS verification_id,
         ARRAY(SELECT DISTINCT pc.qualification FROM presented_credential pc
                WHERE pc.responder_id = r.id AND pc.hash <> i.hash AND pc.last_verified AND pc.qualification IS NOT NULL
                  AND (pc.valid_until IS NULL OR pc.valid_until > now())) AS other_qualifications,
         active.id AS active_deployment_id, active.incident_id AS active_incident_id
    FROM input i
    JOIN r ON r.ord = i.ord
    JOIN c ON c.hash = i.hash
    JOIN v ON v.credential_id = c.id
    LEFT JOIN LATERAL (SELECT d.id, d.incident_id FROM deployment d WHERE d.responder_id = r.id AND d.checked_out_at IS NULL LIMIT 1) active ON true
   ORDER BY i.ord`;

interface IdentifyRow {
  ord: number;
  responder_id: string;
  email: string | null;
  credential_id: string;
  verification_id: string;
  other_qualifications: string[];
  active_deployment_id: string | null;
  active_incident_id: string | null;
}

/**
 * Who a credential belongs to. One responder across scans and credentials: the credential subject's id when it
 * has one, else the issuer and licence number; the credential itself is kept by its hash.
 *
 * Check-ins arriving together are group-committed: one statement records a whole batch of presentations.
 */
@Injectable()
export class ResponderRegistry {
  private readonly batches: GroupCommit<Presentation, ResolvedIdentity>;

  constructor(@InjectDataSource() db: DataSource) {
    // Prepared: planning this statement was the largest cost PostgreSQL had left per batch (1 to 1.5 ms; pg_stat_statements).
    const sql = new PreparedStatements(db);
    this.batches = new GroupCommit((presentations) => this.resolveMany(sql, presentations), { maxBatch: 64, maxInFlight: 2 });
  }

  /** Records a presented credential and its verification, and says whose it is (shares a statement with other scans). */
  resolve(p: Presentation): Promise<ResolvedIdentity> {
    return this.batches.submit(p);
  }

  /**
   * Records presentations and says whose each is, in order. A statement may not upsert a row twice: a batch holding
   * the same person or credential twice fails whole, and GroupCommit then writes its items one by one.
   */
  async resolveMany(db: SqlRunner, presentations: Presentation[]): Promise<ResolvedIdentity[]> {
    const rows = (await db.query(IDENTIFY, [JSON.stringify(presentations.map(asInputRow))])) as IdentifyRow[];
    if (rows.length !== presentations.length) throw new Error(`ResponderRegistry: ${rows.length} identities for ${presentations.length} presentations`);
    return presentations.map((p, i) => toIdentity(p, rows[i]));
  }

  async recordVerification(tx: EntityManager, credentialId: string, incidentId: string | null, kind: VerificationKind, result: VerificationResult, at: Date): Promise<string> {
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

/** A presentation as a row of IDENTIFY's input (jsonb_to_recordset column names). */
function asInputRow(p: Presentation, i: number): Record<string, unknown> {
  const { summary, result } = p;
  return {
    ord: i + 1,
    subject_id: summary.subject.id ?? null,
    issuer_id: summary.issuer.id,
    license_number: summary.licenseNumber ?? null,
    name: displayName(summary),
    email: summary.subject.email ?? null,
    new_responder_id: randomUUID(),
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

function toIdentity(p: Presentation, row: IdentifyRow): ResolvedIdentity {
  const { summary, result } = p;
  const own = result.verified && summary.qualification && (!summary.validUntil || Date.parse(summary.validUntil) > Date.now()) ? [summary.qualification] : [];
  return {
    responderId: row.responder_id,
    credentialId: row.credential_id,
    verificationId: row.verification_id,
    name: displayName(summary),
    email: row.email,
    qualifications: [...new Set([...row.other_qualifications, ...own])].sort(),
    active: row.active_deployment_id && row.active_incident_id ? { deploymentId: row.active_deployment_id, incidentId: row.active_incident_id } : null,
  };
}

/** The JWS the decision rests on: the engine names it; else the JWS in the scan (a bare JWS or a URL carrying one). */
function extractJws(scanned: string, result: VerificationResult): string {
  if (result.jws) return result.jws;
  const candidates = scanned.trim().match(/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g) ?? [];
  return candidates.find((c) => createHash('sha256').update(c).digest('hex') === result.evidence.credentialHash) ?? scanned.trim();
}
