import { Inject, Injectable, Logger } from '@nestjs/common';
import { CompactSign } from 'jose';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError, notFound } from '@app/common';
import { AppConfig } from '@app/config';
import { CredentialVerifier, DEPLOYMENT_RECORD_QUALIFICATION, encodeList } from '@app/credentials';
import { Database, type Transaction } from '@app/db';
import { DeploymentReleaseHook, type ReleasedDeployment } from '@app/incidents';
import { RecordMailer } from '../delivery/record-mailer';
import { RecordIssuerKeysService } from '../keys/record-issuer-keys.service';
import type { DeploymentHistory, DeploymentKind, DeploymentRecord } from './deployment-record';
import { DeploymentRecordsRepository } from './deployment-records.repository';
import { daysOnScene, defaultKind, didWebOrigin, recordCredential, STATUS_LIST_LENGTH, statusListCredential, type IssuerProfile } from './record-credential';

const SYSTEM: AuditActor = { kind: 'system', process: 'api' };

/**
 * Issues, serves and revokes deployment records. At check-out the record is written `pending` in the check-out's
 * transaction (so it exists exactly when the check-out does), then signed right after commit; a record left pending
 * (the process stopped, the key was unavailable) is signed when it is first asked for or by `issuePending`.
 */
@Injectable()
export class DeploymentRecordsService extends DeploymentReleaseHook {
  private readonly logger = new Logger(DeploymentRecordsService.name);

  constructor(
    private readonly database: Database,
    private readonly records: DeploymentRecordsRepository,
    private readonly keys: RecordIssuerKeysService,
    private readonly audit: AuditTrail,
    private readonly mailer: RecordMailer,
    private readonly verifier: CredentialVerifier,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {
    super();
  }

  get issuer(): IssuerProfile | undefined {
    const did = this.config.records.issuerDid;
    return did ? { did, name: this.config.records.issuerName, baseUrl: didWebOrigin(did, this.config.fetch.insecureHosts) } : undefined;
  }

  async released(tx: Transaction, release: ReleasedDeployment): Promise<void> {
    if (this.issuer) await this.records.insertPending(tx, release);
  }

  committed(deploymentId: string): void {
    if (!this.issuer) return;
    void this.records
      .byDeployment(deploymentId)
      .then((r) => (r?.state === 'pending' ? this.issue(r.id) : r))
      .catch((err: unknown) => this.logger.warn({ err }, `deployment record for ${deploymentId} stays pending; it is signed when first asked for`));
  }

  /** The record of a deployment, signed now if it was still pending. */
  async forDeployment(incidentId: string, deploymentId: string): Promise<DeploymentRecord> {
    const record = await this.records.byDeployment(deploymentId);
    if (!record || record.incidentId !== incidentId) throw notFound('Deployment record', deploymentId);
    return record.state === 'pending' ? this.issue(record.id) : record;
  }

  async get(id: string): Promise<DeploymentRecord> {
    const record = await this.records.get(id);
    if (!record) throw notFound('Deployment record', id);
    return record;
  }

  /** Signs a pending record (idempotent: a record already signed is returned as it is). */
  async issue(id: string): Promise<DeploymentRecord> {
    const issuer = this.requireIssuer();
    const key = await this.keys.signingKey();
    const issued = await this.database.transaction(async (tx) => {
      const record = await this.records.lock(tx, id);
      if (!record) throw notFound('Deployment record', id);
      if (record.state !== 'pending') return { record, fresh: false };
      const kind: DeploymentKind = (await this.records.kindFor(record.incidentId, record.facts.incident.type, tx)) ?? defaultKind(record.facts);
      const now = new Date();
      const credential = recordCredential({ recordId: record.id, facts: record.facts, kind, issuer, issuedAt: now, statusIndex: record.statusIndex });
      const jwt = await new CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
        .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', kid: `${issuer.did}#${key.kid}` })
        .sign(key.key);
      await this.records.markIssued(tx, record.id, jwt, key.kid, now);
      await this.audit.record(tx, {
        actor: SYSTEM,
        action: 'deployment_record.issued',
        incidentId: record.incidentId,
        target: { type: 'deployment_record', id: record.id },
        occurredAt: now,
        payload: {
          deploymentId: record.deploymentId,
          responderId: record.responderId,
          kid: key.kid,
          statusIndex: record.statusIndex,
          achievement: kind.name,
          // False: the credential copy was purged before check-out, so the record names the holder without a subject id.
          subjectBound: record.subjectId !== null,
        },
      });
      return { record: { ...record, state: 'issued' as const, jwt, kid: key.kid, issuedAt: now }, fresh: true };
    });
    if (issued.fresh) this.deliver(issued.record);
    return issued.record;
  }

  /** Signs records left pending for more than a minute (a process stopped between check-out and signing). */
  async issuePending(limit = 100): Promise<number> {
    if (!this.issuer) return 0;
    const ids = await this.records.pendingIds(limit, new Date(Date.now() - 60_000));
    for (const id of ids) await this.issue(id);
    return ids.length;
  }

  /** Sets the record's bit on the status list: verifiers refuse it from their next fetch of the list. */
  async revoke(id: string, reason: string, actor: AuditActor, userId: string): Promise<DeploymentRecord> {
    return this.database.transaction(async (tx) => {
      const record = await this.records.lock(tx, id);
      if (!record) throw notFound('Deployment record', id);
      if (record.state === 'revoked') throw new DomainError('conflict', 'This deployment record is already revoked.');
      if (record.state === 'pending') throw new DomainError('conflict', 'This deployment record has not been issued yet.');
      const now = new Date();
      await this.records.markRevoked(tx, id, userId, reason, now);
      await this.audit.record(tx, {
        actor,
        action: 'deployment_record.revoked',
        incidentId: record.incidentId,
        target: { type: 'deployment_record', id },
        occurredAt: now,
        payload: { deploymentId: record.deploymentId, responderId: record.responderId, statusIndex: record.statusIndex, reason },
      });
      return { ...record, state: 'revoked' as const, revokedAt: now, revokeReason: reason };
    });
  }

  /** Status list `list` as a vc+jwt signed by the records key. */
  async statusList(list: number): Promise<string> {
    const issuer = this.requireIssuer();
    const key = await this.keys.signingKey();
    const revoked = await this.records.revokedIndices((list - 1) * STATUS_LIST_LENGTH, STATUS_LIST_LENGTH);
    const credential = statusListCredential(issuer, list, encodeList(STATUS_LIST_LENGTH, revoked), new Date());
    return new CompactSign(new TextEncoder().encode(JSON.stringify(credential)))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'vc+jwt', kid: `${issuer.did}#${key.kid}` })
      .sign(key.key);
  }

  /** The responder's deployments as their signed, unrevoked records show them. */
  async history(responderId: string): Promise<DeploymentHistory> {
    const records = await this.records.issuedForResponder(responderId);
    const items = records.map((r) => ({
      recordId: r.id,
      incident: r.facts.incident.name,
      incidentNumber: r.facts.incident.number,
      from: r.facts.checkedInAt,
      until: r.facts.checkedOutAt,
      days: daysOnScene(r.facts.checkedInAt, r.facts.checkedOutAt),
      hoursOnDuty: r.facts.hoursOnDuty,
    }));
    return {
      deployments: items.length,
      totalDays: items.reduce((n, i) => n + i.days, 0),
      hoursOnDuty: Math.round(items.reduce((n, i) => n + i.hoursOnDuty, 0) * 100) / 100,
      items,
    };
  }

  /**
   * A record presented at a station: verified by the engine like any credential (signature, status, trust), then, if
   * it is one of this agency's, the holder's deployment history. It never admits anyone: check-in still needs a licence.
   */
  async presented(
    input: string,
  ): Promise<{ verified: boolean; reason: string | null; subjectId: string | null; name: string | null; history: DeploymentHistory | null }> {
    const issuer = this.requireIssuer();
    const result = await this.verifier.verify(input, {});
    const summary = result.credential;
    const refused = (reason: string) => ({ verified: false, reason, subjectId: null, name: null, history: null });
    if (!result.verified) return refused(result.errors[0]?.message ?? result.warnings[0]?.message ?? 'The record could not be verified.');
    if (!summary || summary.issuer.id !== issuer.did || summary.qualification !== DEPLOYMENT_RECORD_QUALIFICATION) {
      return refused('This is not a deployment record of this agency.');
    }
    const id = summary.id?.startsWith('urn:uuid:') ? summary.id.slice('urn:uuid:'.length) : undefined;
    const record = id && /^[0-9a-f-]{36}$/.test(id) ? await this.records.get(id) : undefined;
    if (!record || record.jwt !== result.jws) return refused('This agency has no such deployment record.');
    return { verified: true, reason: null, subjectId: record.subjectId, name: record.facts.responder.name, history: await this.history(record.responderId) };
  }

  async setKind(scope: { incidentId?: string; incidentType?: string }, kind: DeploymentKind, actor: AuditActor, userId: string): Promise<void> {
    const key = scope.incidentId ? `incident:${scope.incidentId}` : `type:${scope.incidentType ?? ''}`;
    await this.database.transaction(async (tx) => {
      await this.records.setKind(tx, key, kind, userId);
      await this.audit.record(tx, {
        actor,
        action: 'deployment_record.kind_set',
        incidentId: scope.incidentId,
        target: { type: 'deployment_record_kind', id: key },
        payload: { name: kind.name, description: kind.description },
      });
    });
  }

  private requireIssuer(): IssuerProfile {
    const issuer = this.issuer;
    if (!issuer) throw new DomainError('service_unavailable', 'Deployment records are not issued here (RECORDS_ISSUER_DID is not set).');
    return issuer;
  }

  private deliver(record: DeploymentRecord): void {
    const to = record.facts.responder.email;
    if (!to || !record.jwt) return;
    const payload = JSON.parse(Buffer.from(record.jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    void this.mailer
      .send({ recordId: record.id, to, responderName: record.facts.responder.name, incidentName: record.facts.incident.name, jwt: record.jwt, json: payload })
      .catch((err: unknown) => this.logger.warn({ err }, `deployment record ${record.id}: the e-mail hook failed`));
  }
}
