import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CredentialSummary, VerificationResult } from '@app/credentials';
import type { VerificationKind } from './verification.entity';

export interface ResolvedIdentity {
  responderId: string;
  credentialId: string;
  name: string;
  /** Qualifications from this responder's currently verified credentials. */
  qualifications: string[];
}

/**
 * Who a credential belongs to. One responder across scans and credentials: the credential subject's id when it
 * has one, else the issuer and licence number; the credential itself is kept by its hash.
 */
@Injectable()
export class ResponderRegistry {
  async resolve(tx: EntityManager, summary: CredentialSummary, jws: string, result: VerificationResult): Promise<ResolvedIdentity> {
    const name = summary.subject.name?.trim() || summary.licenseNumber || 'Unnamed responder';
    const email = summary.subject.email ?? null;
    const hash = result.evidence.credentialHash;
    let responderId: string;
    if (summary.subject.id) {
      responderId = await this.upsert(tx, `ON CONFLICT (subject_id) WHERE subject_id IS NOT NULL`, [summary.subject.id, null, null, name, email]);
    } else if (summary.licenseNumber) {
      responderId = await this.upsert(
        tx,
        `ON CONFLICT (issuer_id, license_number) WHERE subject_id IS NULL AND license_number IS NOT NULL`,
        [null, summary.issuer.id, summary.licenseNumber, name, email],
      );
    } else {
      const seen = (await tx.query(`SELECT responder_id FROM presented_credential WHERE hash = $1`, [hash])) as Array<{ responder_id: string | null }>;
      responderId = seen[0]?.responder_id ?? (await this.upsert(tx, '', [null, summary.issuer.id, null, name, email]));
    }

    const [{ id: credentialId }] = (await tx.query(
      `INSERT INTO presented_credential (hash, jws, responder_id, format, issuer_id, qualification, license_number, valid_from, valid_until, status_entries, key_thumbprint, summary, last_verified_at, last_verified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13)
       ON CONFLICT (hash) DO UPDATE SET summary = EXCLUDED.summary, last_verified_at = now(), last_verified = EXCLUDED.last_verified,
         key_thumbprint = EXCLUDED.key_thumbprint, responder_id = EXCLUDED.responder_id
       RETURNING id`,
      [
        hash, extractJws(jws, result), responderId, summary.format, summary.issuer.id, summary.qualification ?? null,
        summary.licenseNumber ?? null, summary.validFrom ?? null, summary.validUntil ?? null, JSON.stringify(summary.status),
        result.evidence.keyThumbprint ?? null, JSON.stringify(summary), result.verified,
      ],
    )) as Array<{ id: string }>;
    return { responderId, credentialId, name, qualifications: await this.qualifications(tx, responderId) };
  }

  async qualifications(tx: EntityManager, responderId: string): Promise<string[]> {
    const rows = (await tx.query(
      `SELECT DISTINCT qualification FROM presented_credential
        WHERE responder_id = $1 AND last_verified AND qualification IS NOT NULL AND (valid_until IS NULL OR valid_until > now())
        ORDER BY qualification`,
      [responderId],
    )) as Array<{ qualification: string }>;
    return rows.map((r) => r.qualification);
  }

  async recordVerification(tx: EntityManager, credentialId: string, incidentId: string | null, kind: VerificationKind, result: VerificationResult, at: Date): Promise<string> {
    const [{ id }] = (await tx.query(
      `INSERT INTO verification (credential_id, incident_id, kind, verified, checks, evidence, performed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [credentialId, incidentId, kind, result.verified, JSON.stringify(result.checks), JSON.stringify(result.evidence), at],
    )) as Array<{ id: string }>;
    return id;
  }

  private async upsert(tx: EntityManager, conflict: string, values: Array<string | null>): Promise<string> {
    const [{ id }] = (await tx.query(
      `INSERT INTO responder (subject_id, issuer_id, license_number, name, email) VALUES ($1, $2, $3, $4, $5)
       ${conflict ? `${conflict} DO UPDATE SET name = EXCLUDED.name, email = COALESCE(EXCLUDED.email, responder.email), updated_at = now()` : ''}
       RETURNING id`,
      values,
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
