import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { StatusEntrySummary } from '@app/credentials';
import type { JobRun } from '@app/jobs';
import type { CredentialFlag } from '@app/realtime';
import type { ActiveCredential } from '../evaluation/screening';

/** Which active deployments a run covers. */
export type RunScope = { kind: 'sweep' } | { kind: 'incident'; incidentId: string } | { kind: 'status_list'; listUrl: string };

export function scopeOf(run: JobRun): RunScope {
  if (run.kind === 'incident' && run.incidentId) return { kind: 'incident', incidentId: run.incidentId };
  if (run.kind === 'status_list' && typeof run.scope.listUrl === 'string') return { kind: 'status_list', listUrl: run.scope.listUrl };
  return { kind: 'sweep' };
}

/** Below every uuid: where a run that has checked nothing yet starts. */
export const FIRST_ID = '00000000-0000-0000-0000-000000000000';

interface Row {
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
  expiry_warned: boolean;
}

/** Reads active deployments and their credentials' stored facts a block at a time, in deployment id order. */
@Injectable()
export class ActiveCredentialsReader {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async count(scope: RunScope): Promise<number> {
    const { where, params } = filter(scope, 1);
    const rows = (await this.db.query(
      `SELECT count(*)::int AS n FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.checked_out_at IS NULL ${where}`,
      params,
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  /** The next block after `afterDeploymentId` (exclusive). */
  async block(scope: RunScope, afterDeploymentId: string, limit: number): Promise<ActiveCredential[]> {
    const { where, params } = filter(scope, 3);
    const rows = (await this.db.query(
      `SELECT d.id AS deployment_id, d.incident_id, d.responder_id, d.credential_id, d.credential_flag,
              c.issuer_id, c.format, c.qualification, c.valid_until, c.status_entries, c.key_thumbprint,
              i.jurisdiction, i.mutual_aid_jurisdictions, (w.deployment_id IS NOT NULL) AS expiry_warned
         FROM deployment d
         JOIN presented_credential c ON c.id = d.credential_id
         JOIN incident i ON i.id = d.incident_id
         LEFT JOIN credential_expiry_warning w ON w.deployment_id = d.id
        WHERE d.checked_out_at IS NULL AND d.id > $1 ${where}
        ORDER BY d.id
        LIMIT $2`,
      [afterDeploymentId, limit, ...params],
    )) as Row[];
    return rows.map(toActiveCredential);
  }

  /** The stored JWS of one credential (only for the few the engine re-checks). */
  async jws(credentialId: string): Promise<string | null> {
    const rows = (await this.db.query(`SELECT jws FROM presented_credential WHERE id = $1`, [credentialId])) as Array<{ jws: string }>;
    return rows[0]?.jws ?? null;
  }

  /** Every status list an active deployment's credential refers to. */
  async listsInUse(): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT DISTINCT e->>'listUrl' AS url
         FROM deployment d
         JOIN presented_credential c ON c.id = d.credential_id
         CROSS JOIN LATERAL jsonb_array_elements(c.status_entries) e
        WHERE d.checked_out_at IS NULL AND e ? 'listUrl'`,
    )) as Array<{ url: string }>;
    return rows.map((r) => r.url);
  }
}

function filter(scope: RunScope, firstParam: number): { where: string; params: string[] } {
  if (scope.kind === 'incident') return { where: `AND d.incident_id = $${firstParam}`, params: [scope.incidentId] };
  if (scope.kind === 'status_list') return { where: `AND c.status_entries @> $${firstParam}::jsonb`, params: [JSON.stringify([{ listUrl: scope.listUrl }])] };
  return { where: '', params: [] };
}

function toActiveCredential(r: Row): ActiveCredential {
  return {
    deploymentId: r.deployment_id,
    incidentId: r.incident_id,
    responderId: r.responder_id,
    credentialId: r.credential_id,
    currentFlag: r.credential_flag,
    issuerId: r.issuer_id,
    format: r.format,
    qualification: r.qualification,
    validUntil: r.valid_until,
    statusEntries: Array.isArray(r.status_entries) ? r.status_entries.filter((e) => typeof e?.listUrl === 'string' && Number.isInteger(e.index)) : [],
    keyThumbprint: r.key_thumbprint,
    jurisdiction: r.jurisdiction,
    mutualAidJurisdictions: r.mutual_aid_jurisdictions ?? [],
    expiryWarned: r.expiry_warned,
  };
}
