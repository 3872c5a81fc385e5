import { Injectable } from '@nestjs/common';
import type { StatusEntrySummary } from '@app/credentials';
import { Database, type Transaction } from '@app/db';
import type { PracticeAuthorityView } from '@app/practice-authority';
import type { CredentialFlag } from '@app/realtime';

/** An active deployment with the stored facts of the credential it was admitted on (what reverification screens). */
export interface DeployedCredential {
  deploymentId: string;
  incidentId: string;
  responderId: string;
  credentialId: string;
  credentialFlag: CredentialFlag | null;
  issuerId: string | null;
  format: string | null;
  qualification: string | null;
  validUntil: Date | null;
  /** As stored; entries a caller cannot use are its to drop. */
  statusEntries: StatusEntrySummary[];
  keyThumbprint: string | null;
  jurisdiction: string;
  mutualAidJurisdictions: string[];
  /** What the check-in admitted on, and the facts to decide it again (home states, multistate, licence, mission number). */
  practice: {
    admittedOn: PracticeAuthorityView | null;
    homeStates: string[];
    multistate: boolean | undefined;
    licenseNumber: string | null;
    missionNumber: string | null;
  };
}

/**
 * Which active deployments: all, one incident's, those whose credential has an entry on one status list, or those in
 * an id range (these four leave out licences checked at a primary source, which have no signed credential to re-check); or those
 * admitted on a primary-source check, all of them or one licence's (by its subject id, which holds the licence hash).
 */
export type DeployedCredentialFilter =
  | { kind: 'all' }
  | { kind: 'incident'; incidentId: string }
  | { kind: 'status_list'; listUrl: string }
  /** A shard of the sweep: `after < deployment id <= upTo`. */
  | { kind: 'id_range'; after: string; upTo: string }
  | { kind: 'primary_source' }
  | { kind: 'licence_subject'; subjectId: string };

interface DeployedCredentialRow {
  deployment_id: string;
  incident_id: string;
  responder_id: string;
  credential_id: string;
  credential_flag: CredentialFlag | null;
  issuer_id: string | null;
  format: string | null;
  qualification: string | null;
  valid_until: Date | null;
  status_entries: StatusEntrySummary[] | null;
  key_thumbprint: string | null;
  jurisdiction: string;
  mutual_aid_jurisdictions: string[] | null;
  practice_authority: PracticeAuthorityView | null;
  home_states: string[] | null;
  multistate: boolean | null;
  license_number: string | null;
  mission_number: string | null;
}

const toDeployedCredential = (r: DeployedCredentialRow): DeployedCredential => ({
  deploymentId: r.deployment_id,
  incidentId: r.incident_id,
  responderId: r.responder_id,
  credentialId: r.credential_id,
  credentialFlag: r.credential_flag,
  issuerId: r.issuer_id,
  format: r.format,
  qualification: r.qualification,
  validUntil: r.valid_until,
  statusEntries: Array.isArray(r.status_entries) ? r.status_entries : [],
  keyThumbprint: r.key_thumbprint,
  jurisdiction: r.jurisdiction,
  mutualAidJurisdictions: r.mutual_aid_jurisdictions ?? [],
  practice: {
    admittedOn: r.practice_authority,
    homeStates: Array.isArray(r.home_states) ? r.home_states : [],
    multistate: typeof r.multistate === 'boolean' ? r.multistate : undefined,
    licenseNumber: r.license_number,
    missionNumber: r.mission_number,
  },
});

/**
 * Active deployments and their credentials as reverification reads and stamps them (deployment, presented_credential,
 * incident, responder), a block at a time in deployment id order.
 */
@Injectable()
export class DeployedCredentialsRepository {
  constructor(private readonly db: Database) {}

  async countActive(filter: DeployedCredentialFilter): Promise<number> {
    const { where, params } = filterSql(filter, 1);
    const row = await this.db.queryOne<{ n: number }>(
      `SELECT count(*)::int AS n FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.checked_out_at IS NULL AND c.format IS DISTINCT FROM 'walk_up' ${where}`,
      params,
    );
    return row?.n ?? 0;
  }

  /** The next `limit` active deployments after `afterDeploymentId` (exclusive), in id order. */
  async activeAfter(filter: DeployedCredentialFilter, afterDeploymentId: string, limit: number): Promise<DeployedCredential[]> {
    const { where, params } = filterSql(filter, 3);
    const rows = await this.db.query<DeployedCredentialRow>(
      `SELECT d.id AS deployment_id, d.incident_id, d.responder_id, d.credential_id, d.credential_flag,
              c.issuer_id, c.format, c.qualification, c.valid_until, c.status_entries, c.key_thumbprint,
              i.jurisdiction, i.mutual_aid_jurisdictions, d.practice_authority, c.summary->'issuer'->'jurisdictions' AS home_states,
              c.summary->'multistate' AS multistate, c.license_number, d.ics211->>'orderRequestNumber' AS mission_number
         FROM deployment d
         JOIN presented_credential c ON c.id = d.credential_id
         JOIN incident i ON i.id = d.incident_id
        WHERE d.checked_out_at IS NULL AND d.id > $1 AND c.format IS DISTINCT FROM 'walk_up' ${where}
        ORDER BY d.id
        LIMIT $2`,
      [afterDeploymentId, limit, ...params],
    );
    return rows.map(toDeployedCredential);
  }

  /** The stored JWS of one credential. */
  async credentialJws(credentialId: string): Promise<string | null> {
    const row = await this.db.queryOne<{ jws: string | null }>(`SELECT jws FROM presented_credential WHERE id = $1`, [credentialId]);
    return row?.jws ?? null;
  }

  /** Every status list an active deployment's credential refers to. */
  async statusListsInUse(): Promise<string[]> {
    const rows = await this.db.query<{ url: string }>(
      `SELECT DISTINCT e->>'listUrl' AS url
         FROM deployment d
         JOIN presented_credential c ON c.id = d.credential_id
         CROSS JOIN LATERAL jsonb_array_elements(c.status_entries) e
        WHERE d.checked_out_at IS NULL AND e ? 'listUrl'`,
    );
    return rows.map((r) => r.url);
  }

  /** Stamps the still active deployments among these as reverified at `at` (one statement). */
  async markReverified(deploymentIds: string[], at: Date): Promise<void> {
    if (deploymentIds.length === 0) return;
    await this.db.execute(`UPDATE deployment SET last_reverified_at = $2 WHERE id = ANY($1::uuid[]) AND checked_out_at IS NULL`, [deploymentIds, at]);
  }

  /**
   * A licence admitted while its source gave no usable answer, now confirmed at the source: it confers its
   * qualification from now on. False when the record already had one (confirmed before).
   */
  async confirmQualification(tx: Transaction, credentialId: string, qualification: string): Promise<boolean> {
    const row = await tx.queryOne<{ id: string }>(
      `UPDATE presented_credential SET qualification = $2 WHERE id = $1 AND qualification IS NULL AND format = 'primary-source' RETURNING id`,
      [credentialId, qualification],
    );
    return row !== undefined && row !== null;
  }

  /**
   * A re-check's outcome on the credential: `verified` true or false replaces the last outcome, null keeps it (the
   * check was partial); the key thumbprint is replaced when one is given.
   */
  async recordRecheck(tx: Transaction, credentialId: string, verified: boolean | null, at: Date, keyThumbprint: string | null): Promise<void> {
    await tx.execute(
      `UPDATE presented_credential SET last_verified = COALESCE($2, last_verified), last_verified_at = $3, key_thumbprint = COALESCE($4, key_thumbprint) WHERE id = $1`,
      [credentialId, verified, at, keyThumbprint],
    );
  }
}

const SIGNED = `AND c.format IS DISTINCT FROM 'primary-source'`;

function filterSql(filter: DeployedCredentialFilter, firstParam: number): { where: string; params: string[] } {
  if (filter.kind === 'incident') return { where: `${SIGNED} AND d.incident_id = $${firstParam}`, params: [filter.incidentId] };
  if (filter.kind === 'status_list')
    return { where: `${SIGNED} AND c.status_entries @> $${firstParam}::jsonb`, params: [JSON.stringify([{ listUrl: filter.listUrl }])] };
  if (filter.kind === 'id_range')
    return { where: `${SIGNED} AND d.id > $${firstParam}::uuid AND d.id <= $${firstParam + 1}::uuid`, params: [filter.after, filter.upTo] };
  if (filter.kind === 'primary_source') return { where: `AND c.format = 'primary-source'`, params: [] };
  if (filter.kind === 'licence_subject')
    return { where: `AND c.format = 'primary-source' AND c.summary->'subject'->>'id' = $${firstParam}`, params: [filter.subjectId] };
  return { where: SIGNED, params: [] };
}
