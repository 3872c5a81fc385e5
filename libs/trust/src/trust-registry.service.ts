import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { Clock, DomainError, notFound } from '@app/common';
import { issuerActivity } from '@app/credentials';
import { Database, type Transaction } from '@app/db';
import { DbTrustSource } from './db-trust-source';
import type { CreateTrustedIssuerDto, TrustedIssuerView, TrustListImportSummary, UpdateTrustedIssuerDto } from './dto/trusted-issuer.dto';
import {
  parseTrustList,
  TRUST_LIST_FORMAT,
  TRUST_LIST_VERSION,
  trustListDigest,
  type TrustListDocument,
  type TrustListIssuer,
  type TrustListQualification,
} from './trust-list.document';
import { toTrustedIssuer, TrustRegistryRepository, type IssuerRecord } from './trust-registry.repository';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export interface IssuerFilter {
  jurisdiction?: string;
  qualification?: string;
  includeRetired?: boolean;
}

/**
 * Reads and changes the trust registry. Every change runs in one transaction with its audit entry
 * (trust.issuer_created / trust.issuer_updated / trust.issuer_retired / trust.list_imported, system chain), and
 * invalidates the engine's snapshot of the registry in this process.
 */
@Injectable()
export class TrustRegistryService {
  constructor(
    private readonly database: Database,
    private readonly repository: TrustRegistryRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly trustSource: DbTrustSource,
  ) {}

  toView(r: IssuerRecord): TrustedIssuerView {
    return {
      id: r.id,
      name: r.name,
      jurisdictions: r.jurisdictions,
      qualifications: r.qualifications,
      algorithms: r.algorithms,
      validFrom: iso(r.validFrom),
      validUntil: iso(r.validUntil),
      retiredAt: iso(r.retiredAt),
      active: issuerActivity(toTrustedIssuer(r), this.clock.now()).active,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    };
  }

  async listIssuers(filter: IssuerFilter = {}): Promise<TrustedIssuerView[]> {
    const all = (await this.repository.listIssuers()).map((r) => this.toView(r));
    return all.filter(
      (i) =>
        (filter.includeRetired !== false || i.retiredAt === null) &&
        (!filter.qualification || i.qualifications.includes(filter.qualification)) &&
        (!filter.jurisdiction || i.jurisdictions.some((j) => j === filter.jurisdiction || filter.jurisdiction!.startsWith(`${j}-`))),
    );
  }

  async getIssuer(id: string): Promise<TrustedIssuerView> {
    const found = await this.repository.findIssuer(id);
    if (!found) throw notFound('Trusted issuer', id);
    return this.toView(found);
  }

  async listQualifications(): Promise<TrustListQualification[]> {
    return this.repository.listQualifications();
  }

  async createIssuer(input: CreateTrustedIssuerDto, actor: AuditActor): Promise<TrustedIssuerView> {
    checkPeriod(input.validFrom, input.validUntil);
    const view = await this.write(async (tx, now) => {
      await this.checkQualifications(tx, input.qualifications);
      const created = await this.repository.insertIssuer(
        tx,
        { ...input, qualifications: unique(input.qualifications), jurisdictions: unique(input.jurisdictions) },
        now,
      );
      if (!created) throw new DomainError('issuer_exists', `The issuer ${input.id} is already in the registry.`);
      const after = this.toView(created);
      await this.audit.record(tx, {
        actor,
        action: 'trust.issuer_created',
        target: { type: 'trusted_issuer', id: created.id },
        payload: { issuer: after },
        occurredAt: now,
      });
      return after;
    });
    return view;
  }

  async updateIssuer(id: string, patch: UpdateTrustedIssuerDto, actor: AuditActor): Promise<TrustedIssuerView> {
    return this.write(async (tx, now) => {
      const current = await this.repository.lockIssuer(tx, id);
      if (!current) throw notFound('Trusted issuer', id);
      const before = this.toView(current);
      const next: TrustListIssuer = {
        id,
        name: patch.name ?? current.name,
        jurisdictions: unique(patch.jurisdictions ?? current.jurisdictions),
        qualifications: unique(patch.qualifications ?? current.qualifications),
        algorithms: patch.algorithms ?? current.algorithms,
        validFrom: patch.validFrom === undefined ? before.validFrom : patch.validFrom,
        validUntil: patch.validUntil === undefined ? before.validUntil : patch.validUntil,
        retiredAt: before.retiredAt,
      };
      checkPeriod(next.validFrom, next.validUntil);
      if (patch.qualifications) await this.checkQualifications(tx, patch.qualifications);
      const after = this.toView(await this.repository.upsertIssuer(tx, next, now));
      const changed = (Object.keys(after) as Array<keyof TrustedIssuerView>).filter(
        (k) => k !== 'updatedAt' && JSON.stringify(after[k]) !== JSON.stringify(before[k]),
      );
      await this.audit.record(tx, {
        actor,
        action: 'trust.issuer_updated',
        target: { type: 'trusted_issuer', id },
        payload: { before, after, changed },
        occurredAt: now,
      });
      return after;
    });
  }

  async retireIssuer(id: string, reason: string | undefined, actor: AuditActor): Promise<TrustedIssuerView> {
    return this.write(async (tx, now) => {
      const current = await this.repository.lockIssuer(tx, id);
      if (!current) throw notFound('Trusted issuer', id);
      if (current.retiredAt) throw new DomainError('conflict', `The issuer ${id} was already retired on ${current.retiredAt.toISOString()}.`);
      const after = this.toView(await this.repository.retireIssuer(tx, id, now));
      await this.audit.record(tx, {
        actor,
        action: 'trust.issuer_retired',
        target: { type: 'trusted_issuer', id },
        payload: { issuerId: id, name: after.name, retiredAt: after.retiredAt, reason: reason ?? null },
        occurredAt: now,
      });
      return after;
    });
  }

  /** The whole registry as a trust-list document (retired entries included, so the export is complete). */
  async exportList(): Promise<TrustListDocument> {
    const [issuers, qualifications] = await Promise.all([this.repository.listIssuers(), this.repository.listQualifications()]);
    return {
      format: TRUST_LIST_FORMAT,
      version: TRUST_LIST_VERSION,
      issuedAt: this.clock.now().toISOString(),
      qualifications,
      issuers: issuers.map((r) => ({
        id: r.id,
        name: r.name,
        jurisdictions: r.jurisdictions,
        qualifications: r.qualifications,
        algorithms: r.algorithms,
        validFrom: iso(r.validFrom),
        validUntil: iso(r.validUntil),
        retiredAt: iso(r.retiredAt),
      })),
    };
  }

  /** Replaces the registry with the document's content (issuers absent from it are removed). */
  async importList(document: unknown, actor: AuditActor): Promise<TrustListImportSummary> {
    const doc = parseTrustList(document);
    const digest = trustListDigest(doc);
    return this.write(async (tx, now) => {
      await this.repository.lockForImport(tx);
      const before = new Map((await this.repository.listIssuers(tx)).map((r) => [r.id, this.toView(r)]));
      await this.repository.replaceQualifications(tx, doc.qualifications, now);
      const added: string[] = [];
      const updated: string[] = [];
      for (const issuer of doc.issuers) {
        const previous = before.get(issuer.id);
        const stored = this.toView(
          await this.repository.upsertIssuer(
            tx,
            { ...issuer, jurisdictions: unique(issuer.jurisdictions), qualifications: unique(issuer.qualifications) },
            now,
          ),
        );
        if (!previous) added.push(issuer.id);
        else if (sameEntry(previous, stored)) continue;
        else updated.push(issuer.id);
      }
      const removed = await this.repository.deleteIssuersNotIn(
        tx,
        doc.issuers.map((i) => i.id),
      );
      const summary: TrustListImportSummary = { digest, issuers: doc.issuers.length, qualifications: doc.qualifications.length, added, updated, removed };
      await this.audit.record(tx, {
        actor,
        action: 'trust.list_imported',
        target: { type: 'trust_list', id: digest },
        payload: { ...summary, publisher: doc.publisher ?? null, issuedAt: doc.issuedAt ?? null },
        occurredAt: now,
      });
      return summary;
    });
  }

  private async write<T>(work: (tx: Transaction, now: Date) => Promise<T>): Promise<T> {
    const now = this.clock.now();
    try {
      return await this.database.transaction((tx) => work(tx, now));
    } finally {
      this.trustSource.invalidate();
    }
  }

  private async checkQualifications(tx: Transaction, codes: string[]): Promise<void> {
    const known = await this.repository.qualificationCodes(tx);
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length > 0) {
      throw new DomainError('unprocessable', `Unknown qualification ${unknown.join(', ')}; see GET /trust/qualifications.`, {
        errors: [{ field: 'qualifications', message: `unknown: ${unknown.join(', ')}` }],
      });
    }
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function checkPeriod(from: string | null | undefined, until: string | null | undefined): void {
  if (from && until && Date.parse(until) <= Date.parse(from)) {
    throw new DomainError('validation_failed', 'validUntil must be after validFrom.', {
      errors: [{ field: 'validUntil', message: 'must be after validFrom' }],
    });
  }
}

function sameEntry(a: TrustedIssuerView, b: TrustedIssuerView): boolean {
  const strip = ({ updatedAt: _u, createdAt: _c, active: _a, ...rest }: TrustedIssuerView) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}
