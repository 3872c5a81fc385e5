import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError, RateLimiter } from '@app/common';
import type { CredentialFlagCode } from '@app/realtime';
import { Database } from '@app/db';
import {
  ActiveCredentialsReader,
  FIRST_ID,
  REVERSIBLE_FLAGS,
  ReverificationEffects,
  replacesFlag,
  type ActiveCredential,
  type ChangeEvidence,
  type RunScope,
} from '@app/reverification';
import { licenceCheck, type LicenceCheck } from './licence-check';
import { LicenceLookupService, type Lookup } from './licence-lookup.service';
import { licenceNumberHash, licenceSubjectId } from './licence-number-hash';
import { PrimarySources, type ConfiguredSource } from './primary-sources';
import { PrimarySourceRepository } from './primary-source.repository';
import type { LicenceRecord, LicenceStatus } from './sources/licence-source';

export interface NoticeOutcome {
  noticeId: string;
  flagged: number;
  cleared: number;
  confirmed: number;
  duplicate: boolean;
}

export interface RelookupOutcome {
  checked: number;
  flagged: number;
  cleared: number;
  confirmed: number;
  indeterminate: number;
}

/** The flag a licence status raises on a deployment; null: the licence is good. */
const FLAG_OF: Record<LicenceStatus, CredentialFlagCode | null> = {
  active: null,
  probation: null,
  expired: 'expired',
  suspended: 'suspended',
  inactive: 'suspended',
  revoked: 'revoked',
};

const BLOCK = 500;

/**
 * What a licensing authority's change does to the responders deployed on that licence, whether the source pushed
 * a notice or a scheduled re-lookup found it: a licence no longer good flags every active deployment on it exactly
 * as a revoked credential does (ReverificationEffects: status, history, audit entry, board alert in one
 * transaction); a licence good again clears a reversible flag. A notice that does not verify, or names a licence
 * nobody is deployed on, is refused with its reason code, kept in primary_source_notice and the audit trail.
 */
/** Refused notices a source may have recorded per minute; past it they are answered 429 and not recorded. */
export const REFUSED_NOTICES_RECORDED_PER_MINUTE = 60;

@Injectable()
export class LicenceChangesService {
  private readonly logger = new Logger(LicenceChangesService.name);

  constructor(
    private readonly sources: PrimarySources,
    private readonly lookups: LicenceLookupService,
    private readonly reader: ActiveCredentialsReader,
    private readonly effects: ReverificationEffects,
    private readonly repository: PrimarySourceRepository,
    private readonly database: Database,
    private readonly audit: AuditTrail,
    private readonly limiter: RateLimiter,
  ) {}

  async receiveNotice(sourceId: string, rawBody: string, headers: Record<string, string | undefined>): Promise<NoticeOutcome> {
    const configured = this.sources.byId(sourceId);
    if (!configured) throw new DomainError('not_found', 'No such primary source.');
    const now = new Date();
    const bodyHash = createHash('sha256').update(rawBody).digest('hex');
    const notice = configured.source.readNotice(rawBody, headers, now);
    if ('code' in notice) {
      await this.refuse(sourceId, bodyHash, notice.code, notice.message, null, now);
      throw new DomainError(notice.code, notice.message);
    }
    const hash = licenceNumberHash(this.sources.hashKey, notice.licenceNumber);
    const licence = { noticeId: notice.noticeId, state: notice.state, profession: notice.profession, hash, status: notice.status };
    const deployed = await this.deployedOn(licenceSubjectId(notice.state, notice.profession, hash));
    if (deployed.length === 0) {
      const message = 'Nobody is deployed on that licence: the notice is not for this system.';
      await this.refuse(sourceId, bodyHash, 'notice_licence_unknown', message, licence, now);
      throw new DomainError('notice_licence_unknown', message);
    }
    if (await this.repository.noticeApplied(sourceId, notice.noticeId))
      return { noticeId: notice.noticeId, flagged: 0, cleared: 0, confirmed: 0, duplicate: true };

    const record: LicenceRecord = {
      state: notice.state,
      profession: notice.profession,
      licenceNumber: notice.licenceNumber,
      holderName: '',
      status: notice.status,
      expiresOn: notice.expiresOn,
    };
    const lookup: Lookup = {
      configured,
      answer: { kind: 'found', record, responseHash: bodyHash },
      request: { state: notice.state, profession: notice.profession, licenceNumberHash: hash },
      lookedUpAt: now,
      freshUntil: new Date(now.getTime() + configured.source.freshnessSeconds * 1000),
      cached: false,
    };
    const check = licenceCheck(lookup, record, undefined, null);
    const actor: AuditActor = { kind: 'system', process: 'api', job: `primary-source notice ${sourceId}` };
    const tally = { flagged: 0, cleared: 0, confirmed: 0 };
    for (const c of deployed) {
      await this.apply(c, check, notice.status, `notice ${notice.noticeId}`, `${configured.source.name} notice: licence ${notice.status}`, actor, now, tally);
    }
    const first = await this.repository.logNotice(
      null,
      {
        sourceId,
        noticeId: notice.noticeId,
        licenceNumberHash: hash,
        state: notice.state,
        profession: notice.profession,
        status: notice.status,
        bodyHash,
        outcome: 'applied',
        refusedCode: null,
        flagged: tally.flagged,
        cleared: tally.cleared,
      },
      now,
    );
    return { noticeId: notice.noticeId, ...tally, duplicate: !first };
  }

  /**
   * Looks up again every deployed licence whose source sends us no notices, and every licence admitted while its
   * source gave no usable answer (not yet confirmed, so not yet enrolled for notices) whatever the source. Within
   * the source's stated freshness the cached answer is the answer. An indeterminate lookup changes nothing: the next
   * tick tries again.
   */
  async relookup(actor: AuditActor): Promise<RelookupOutcome> {
    const outcome: RelookupOutcome = { checked: 0, flagged: 0, cleared: 0, confirmed: 0, indeterminate: 0 };
    const scope: RunScope = { kind: 'primary_source' };
    let after = FIRST_ID;
    for (;;) {
      const block = await this.reader.block(scope, after, BLOCK);
      if (block.length === 0) break;
      after = block[block.length - 1].deploymentId;
      for (const c of block) {
        const asked = await this.storedRequest(c);
        if (!asked || (c.qualification !== null && this.sources.notifies(asked.configured))) continue;
        outcome.checked++;
        const lookup = await this.lookups.lookUp(asked.configured, { kind: 'licence', ...asked.request });
        if (lookup.answer.kind === 'indeterminate') {
          outcome.indeterminate++;
          continue;
        }
        const check = licenceCheck(lookup, asked.request, undefined, null);
        const status: LicenceStatus =
          lookup.answer.kind === 'not_found'
            ? 'inactive'
            : check.result.credential?.validUntil && Date.parse(check.result.credential.validUntil) < Date.now()
              ? 'expired'
              : lookup.answer.record.status;
        const note = `${asked.configured.source.name} re-lookup: ${lookup.answer.kind === 'not_found' ? 'licence no longer found' : `licence ${status}`}`;
        await this.apply(c, check, status, `re-lookup ${lookup.lookedUpAt.toISOString()}`, note, actor, new Date(), outcome);
      }
    }
    return outcome;
  }

  private async apply(
    c: ActiveCredential,
    check: LicenceCheck,
    status: LicenceStatus,
    runId: string,
    note: string,
    actor: AuditActor,
    now: Date,
    tally: { flagged: number; cleared: number; confirmed: number },
  ): Promise<void> {
    const evidence: ChangeEvidence = {
      runId,
      basis: 'primary_source',
      checks: check.result.checks.map((k) => ({ id: k.id, status: k.status, code: k.code })),
      note: `${note}; response sha256 ${check.result.evidence.primarySource?.responseHash ?? 'none'}`,
    };
    const code = FLAG_OF[status];
    const current = c.currentFlag?.code;
    if (code) {
      if (!replacesFlag(current, code)) return;
      if (await this.effects.flag(c, { code, message: `${note}.` }, check.result, evidence, actor, now)) tally.flagged++;
    } else {
      if (current && REVERSIBLE_FLAGS.has(current)) {
        if (await this.effects.clear(c, current, `${note}: the licence is good again.`, check.result, evidence, actor, now)) tally.cleared++;
      }
      // Admitted while the source gave no usable answer: the licence confirmed now confers its qualification.
      const qualification = check.result.credential?.qualification;
      if (c.qualification === null && check.outcome === 'licensed' && qualification) {
        if (await this.effects.confirmLicence(c, qualification, check.result, evidence, actor, now)) tally.confirmed++;
      }
    }
  }

  private async deployedOn(subjectId: string): Promise<ActiveCredential[]> {
    const found: ActiveCredential[] = [];
    let after = FIRST_ID;
    for (;;) {
      const block = await this.reader.block({ kind: 'licence_subject', subjectId }, after, BLOCK);
      found.push(...block);
      if (block.length < BLOCK) return found;
      after = block[block.length - 1].deploymentId;
    }
  }

  /** The source and request a deployment's licence check was made with (from its stored record). */
  private async storedRequest(
    c: ActiveCredential,
  ): Promise<{ configured: ConfiguredSource; request: { licenceNumber: string; state: string; profession: string } } | undefined> {
    const text = await this.reader.jws(c.credentialId);
    if (!text) return undefined;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return undefined;
    }
    if (typeof doc !== 'object' || doc === null) return undefined;
    const { source, request } = doc as { source?: unknown; request?: { licenceNumber?: unknown; state?: unknown; profession?: unknown } };
    const configured = typeof source === 'string' ? this.sources.byId(source) : undefined;
    if (!configured || typeof request?.licenceNumber !== 'string' || typeof request.state !== 'string' || typeof request.profession !== 'string')
      return undefined;
    return { configured, request: { licenceNumber: request.licenceNumber, state: request.state, profession: request.profession } };
  }

  /** A refused notice: kept with its reason (licence only as its hash) and audited on the system chain; logged without personal data. */
  private async refuse(
    sourceId: string,
    bodyHash: string,
    code: string,
    message: string,
    licence: { noticeId: string; state: string; profession: string; hash: string; status: string } | null,
    at: Date,
  ): Promise<void> {
    // The route is open to anyone who can reach it: refusals are kept on record only up to a budget per source, so
    // a flood of forged notices is answered 429 and cannot fill the audit trail.
    await this.limiter.consume('primary-source-refused-notice', sourceId, REFUSED_NOTICES_RECORDED_PER_MINUTE);
    this.logger.warn(`notice from ${sourceId} refused: ${code}`);
    await this.database.transaction(async (tx) => {
      await this.repository.logNotice(
        tx,
        {
          sourceId,
          noticeId: licence?.noticeId ?? null,
          licenceNumberHash: licence?.hash ?? null,
          state: licence?.state ?? null,
          profession: licence?.profession ?? null,
          status: licence?.status ?? null,
          bodyHash,
          outcome: 'refused',
          refusedCode: code,
          flagged: 0,
          cleared: 0,
        },
        at,
      );
      await this.audit.record(tx, {
        actor: { kind: 'system', process: 'api', job: `primary-source notice ${sourceId}` },
        action: 'primary_source.notice_refused',
        occurredAt: at,
        payload: { source: sourceId, code, message, bodyHash, licenceNumberHash: licence?.hash ?? null, noticeId: licence?.noticeId ?? null },
      });
    });
  }
}
