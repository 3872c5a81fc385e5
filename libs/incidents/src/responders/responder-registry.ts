import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SqlRunner } from '@app/common';
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
 * How the responder row is found or created ($18 subject id, $19 issuer, $20 licence number, $21 name, $22 e-mail):
 * by subject id, by issuer + licence number, or by id ($23) when the same credential was seen before.
 */
const RESPONDER_BY = {
  subject: `INSERT INTO responder (subject_id, issuer_id, license_number, name, email) VALUES ($18, $19, $20, $21, $22)
            ON CONFLICT (subject_id) WHERE subject_id IS NOT NULL
            DO UPDATE SET name = EXCLUDED.name, email = COALESCE(EXCLUDED.email, responder.email), updated_at = now()
            RETURNING id, email`,
  licence: `INSERT INTO responder (subject_id, issuer_id, license_number, name, email) VALUES ($18, $19, $20, $21, $22)
            ON CONFLICT (issuer_id, license_number) WHERE subject_id IS NULL AND license_number IS NOT NULL
            DO UPDATE SET name = EXCLUDED.name, email = COALESCE(EXCLUDED.email, responder.email), updated_at = now()
            RETURNING id, email`,
  id: `INSERT INTO responder (id, subject_id, issuer_id, license_number, name, email) VALUES (COALESCE($23::uuid, gen_random_uuid()), $18, $19, $20, $21, $22)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, email = COALESCE(EXCLUDED.email, responder.email), updated_at = now()
       RETURNING id, email`,
} as const;

/**
 * The responder, the credential (kept by its hash) and this scan's verification in one statement, with what the
 * check-in decides on: the responder's other verified qualifications and active deployment. The sub-queries read
 * the snapshot from before the statement, so this credential's own row is left out there and added by the caller.
 */
const IDENTIFY = (responder: string): string => `
  WITH r AS (${responder}),
  c AS (
    INSERT INTO presented_credential (hash, jws, responder_id, format, issuer_id, qualification, license_number, valid_from, valid_until, status_entries, key_thumbprint, summary, last_verified_at, last_verified)
    SELECT $1, $2, r.id, $3, $4, $5, $6, $7, $8, $9, $10, $11, now(), $12 FROM r
    ON CONFLICT (hash) DO UPDATE SET summary = EXCLUDED.summary, last_verified_at = now(), last_verified = EXCLUDED.last_verified,
      key_thumbprint = EXCLUDED.key_thumbprint, responder_id = EXCLUDED.responder_id
    RETURNING id
  ),
  v AS (
    INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at)
    SELECT c.id, $13, $14, $12, $15, $16, $17 FROM c RETURNING id
  )
  SELECT r.id AS responder_id, r.email, c.id AS credential_id, v.id AS verification_id,
         ARRAY(SELECT DISTINCT pc.qualification FROM presented_credential pc
                WHERE pc.responder_id = r.id AND pc.hash <> $1 AND pc.last_verified AND pc.qualification IS NOT NULL
                  AND (pc.valid_until IS NULL OR pc.valid_until > now())) AS other_qualifications,
         active.id AS active_deployment_id, active.incident_id AS active_incident_id
    FROM r CROSS JOIN c CROSS JOIN v
    LEFT JOIN LATERAL (SELECT d.id, d.incident_id FROM deployment d WHERE d.responder_id = r.id AND d.checked_out_at IS NULL LIMIT 1) active ON true`;

interface IdentifyRow {
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
 */
@Injectable()
export class ResponderRegistry {
  /** Records a presented credential and its verification, and says whose it is: one statement on the check-in path. */
  async resolve(db: SqlRunner, p: Presentation): Promise<ResolvedIdentity> {
    const { summary, result } = p;
    const name = summary.subject.name?.trim() || summary.licenseNumber || 'Unnamed responder';
    const email = summary.subject.email ?? null;
    const hash = result.evidence.credentialHash;

    // $18.. : subject id, issuer, licence number, name, e-mail (and the known responder's id).
    let responder: string;
    let keys: Array<string | null>;
    if (summary.subject.id) {
      [responder, keys] = [RESPONDER_BY.subject, [summary.subject.id, null, null, name, email]];
    } else if (summary.licenseNumber) {
      [responder, keys] = [RESPONDER_BY.licence, [null, summary.issuer.id, summary.licenseNumber, name, email]];
    } else {
      // Neither a subject id nor a licence number: the same credential seen before names its responder.
      const seen = (await db.query(`SELECT responder_id FROM presented_credential WHERE hash = $1 AND responder_id IS NOT NULL`, [hash])) as Array<{ responder_id: string }>;
      [responder, keys] = [RESPONDER_BY.id, [null, summary.issuer.id, null, name, email, seen[0]?.responder_id ?? null]];
    }

    const [row] = (await db.query(IDENTIFY(responder), [
      hash, extractJws(p.scanned, result), summary.format, summary.issuer.id, summary.qualification ?? null, summary.licenseNumber ?? null,
      summary.validFrom ?? null, summary.validUntil ?? null, JSON.stringify(summary.status), result.evidence.keyThumbprint ?? null,
      JSON.stringify(summary), result.verified,
      p.incidentId, p.kind, JSON.stringify(result.checks), JSON.stringify(result.evidence), p.at,
      ...keys,
    ])) as IdentifyRow[];

    const own = result.verified && summary.qualification && (!summary.validUntil || Date.parse(summary.validUntil) > Date.now()) ? [summary.qualification] : [];
    return {
      responderId: row.responder_id,
      credentialId: row.credential_id,
      verificationId: row.verification_id,
      name,
      email: row.email,
      qualifications: [...new Set([...row.other_qualifications, ...own])].sort(),
      active: row.active_deployment_id && row.active_incident_id ? { deploymentId: row.active_deployment_id, incidentId: row.active_incident_id } : null,
    };
  }

  async recordVerification(tx: EntityManager, credentialId: string, incidentId: string | null, kind: VerificationKind, result: VerificationResult, at: Date): Promise<string> {
    const [{ id }] = (await tx.query(
      `INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [credentialId, incidentId, kind, result.verified, JSON.stringify(result.checks), JSON.stringify(result.evidence), at],
    )) as Array<{ id: string }>;
    return id;
  }
}

/** The JWS the decision rests on: the engine names it; else the JWS in the scan (a bare JWS or a URL carrying one). */
function extractJws(scanned: string, result: VerificationResult): string {
  if (result.jws) return result.jws;
  const candidates = scanned.trim().match(/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g) ?? [];
  return candidates.find((c) => createHash('sha256').update(c).digest('hex') === result.evidence.credentialHash) ?? scanned.trim();
}
