import { Injectable } from '@nestjs/common';
import type { Transaction } from '@app/db';

/** Rows purged or redacted per statement: bounded transactions, so check-ins never wait long behind a purge. */
export const RETENTION_BATCH = 2000;

/**
 * The retention purge's statements on the incident tables (presented_credential, check_in_attempt): what is past its
 * retention period loses its personal contents, in bounded batches; rows, hashes and decisions stay.
 */
@Injectable()
export class RetentionRepository {
  /**
   * Purges the copies of credentials no active deployment uses, none used since `cutoff` and none verified since,
   * up to RETENTION_BATCH; returns their hashes. The summary loses the subject's id with the copy (a primary-source
   * licence's subject id is itself a hash, kept so that notices and re-lookups still find the deployment). The
   * candidates are locked first and the "no active deployment" test runs in a second statement, after the locks: a
   * check-in presenting the same credential meanwhile either committed first (its deployment is then seen and the
   * copy kept) or waits, and its upsert restores the copy.
   */
  async purgeCredentialCopies(tx: Transaction, cutoff: Date): Promise<string[]> {
    const candidates = await tx.query<{ id: string }>(
      `SELECT c.id FROM presented_credential c
          WHERE c.jws IS NOT NULL AND COALESCE(c.last_verified_at, c.first_seen_at) < $1
            AND NOT EXISTS (SELECT 1 FROM deployment d WHERE d.credential_id = c.id AND (d.checked_out_at IS NULL OR d.checked_out_at >= $1))
          LIMIT ${RETENTION_BATCH}
          FOR UPDATE OF c SKIP LOCKED`,
      [cutoff],
    );
    if (candidates.length === 0) return [];
    const purged = await tx.query<{ hash: string }>(
      `UPDATE presented_credential c SET jws = NULL, purged_at = now(),
              summary = CASE WHEN c.format IS DISTINCT FROM 'primary-source' THEN c.summary #- '{subject,id}' ELSE c.summary END
          WHERE c.id = ANY($1::uuid[])
            AND NOT EXISTS (SELECT 1 FROM deployment d WHERE d.credential_id = c.id AND (d.checked_out_at IS NULL OR d.checked_out_at >= $2))
          RETURNING c.hash`,
      [candidates.map((c) => c.id), cutoff],
    );
    return purged.map((p) => p.hash);
  }

  /**
   * Redacts up to RETENTION_BATCH stored scan responses older than `cutoff` to what a replay still needs to say: the
   * attempt, the decision and the reason codes (no name, credential summary or roster entry). Returns how many.
   */
  async redactScanResponses(tx: Transaction, cutoff: Date): Promise<number> {
    return tx.execute(
      `UPDATE check_in_attempt a
          SET response = jsonb_build_object(
                'attemptId', a.id, 'incidentId', a.incident_id, 'decision', a.decision,
                'reasons', COALESCE((SELECT jsonb_agg(jsonb_build_object('code', r->>'code')) FROM jsonb_array_elements(a.reasons) r), '[]'::jsonb),
                'responder', NULL, 'deployment', CASE WHEN a.deployment_id IS NULL THEN NULL ELSE jsonb_build_object('id', a.deployment_id) END,
                'performedAt', to_char(a.performed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                'redacted', true)::text,
              response_redacted_at = now()
        WHERE a.id IN (SELECT id FROM check_in_attempt WHERE response_redacted_at IS NULL AND performed_at < $1 LIMIT ${RETENTION_BATCH})`,
      [cutoff],
    );
  }
}
