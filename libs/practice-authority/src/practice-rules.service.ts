import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { AuditTrail, type AuditActor } from '@app/audit';
import { Clock, notFound } from '@app/common';
import { Database } from '@app/db';
import { emptyPracticeRules, parsePracticeRules, practiceRulesDigest, type PracticeRulesDocument } from './domain/practice-rules.document';
import { PracticeAuthorityCache } from './practice-authority.cache';
import { PracticeRulesRepository, type RuleSetHeader } from './practice-rules.repository';

export interface RuleSetVersionView {
  version: number;
  digest: string;
  importedBy: AuditActor;
  importedAt: string;
}

export interface PracticeRulesImportSummary {
  version: number;
  digest: string;
  compacts: number;
  missions: number;
  orders: number;
  /** Ids of missions and orders added, changed or dropped against the version before. */
  added: string[];
  changed: string[];
  removed: string[];
}

const view = (h: RuleSetHeader): RuleSetVersionView => ({
  version: h.version,
  digest: h.digest,
  importedBy: h.importedBy,
  importedAt: h.importedAt.toISOString(),
});

/**
 * Imports and exports the practice rules. An import validates the whole document, adds a version and its audit entry
 * (practice_rules.imported, system chain) in one transaction, and invalidates this process's cache; other processes
 * see it within PRACTICE_RULES_TTL_MS.
 */
@Injectable()
export class PracticeRulesService {
  constructor(
    private readonly database: Database,
    private readonly repository: PracticeRulesRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly cache: PracticeAuthorityCache,
  ) {}

  /** The document of a version (default: the one in force; an empty rule set before the first import). */
  async exportRules(version?: number): Promise<PracticeRulesDocument> {
    const found = await this.repository.find(version);
    if (!found) {
      if (version !== undefined) throw notFound('Practice rules version', String(version));
      return emptyPracticeRules();
    }
    return found.document;
  }

  async versions(): Promise<RuleSetVersionView[]> {
    return (await this.repository.list()).map(view);
  }

  async importRules(document: unknown, actor: AuditActor): Promise<PracticeRulesImportSummary> {
    const doc = parsePracticeRules(document);
    const digest = practiceRulesDigest(doc);
    const now = this.clock.now();
    try {
      return await this.database.transaction(async (tx) => {
        const previous = (await this.repository.find())?.document ?? emptyPracticeRules();
        const stored = await this.repository.append(tx, digest, doc, actor, now);
        const diff = compare(previous, doc);
        const summary: PracticeRulesImportSummary = {
          version: stored.version,
          digest,
          compacts: doc.compacts.length,
          missions: doc.missions.length,
          orders: doc.orders.length,
          ...diff,
        };
        await this.audit.record(tx, {
          actor,
          action: 'practice_rules.imported',
          target: { type: 'practice_rule_set', id: String(stored.version) },
          payload: { ...summary, publisher: doc.publisher ?? null, issuedAt: doc.issuedAt ?? null },
          occurredAt: now,
        });
        return summary;
      });
    } finally {
      this.cache.invalidate();
    }
  }
}

function compare(before: PracticeRulesDocument, after: PracticeRulesDocument): { added: string[]; changed: string[]; removed: string[] } {
  // Canonical JSON: a document read back from jsonb has its keys in another order.
  const keyed = (d: PracticeRulesDocument) =>
    new Map<string, string>([
      ...d.compacts.map((c) => [`compact ${c.id}`, canonicalize(c) ?? ''] as const),
      ...d.missions.map((m) => [`mission ${m.id}`, canonicalize(m) ?? ''] as const),
      ...d.orders.map((o) => [`order ${o.id}`, canonicalize(o) ?? ''] as const),
    ]);
  const a = keyed(before);
  const b = keyed(after);
  return {
    added: [...b.keys()].filter((k) => !a.has(k)),
    changed: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)),
    removed: [...a.keys()].filter((k) => !b.has(k)),
  };
}
