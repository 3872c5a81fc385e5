import { Injectable } from '@nestjs/common';
import type { QualificationRule, TrustedIssuer } from '@app/credentials';
import { Database, type SqlScope, type Transaction } from '@app/db';
import type { TrustListIssuer, TrustListQualification, TrustListRule } from './trust-list.document';

interface IssuerRow {
  id: string;
  display_name: string;
  jurisdictions: string[];
  qualifications: string[];
  algorithms: string[];
  valid_from: Date | null;
  valid_until: Date | null;
  retired_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface RuleRow {
  qualification_code: string;
  qualification_name: string;
  achievement_id: string | null;
  achievement_types: string[] | null;
  achievement_name: string | null;
  credential_type: string | null;
  vct: string | null;
}

export interface IssuerRecord {
  id: string;
  name: string;
  jurisdictions: string[];
  qualifications: string[];
  algorithms: string[];
  validFrom: Date | null;
  validUntil: Date | null;
  retiredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const ISSUER_COLUMNS = 'id, display_name, jurisdictions, qualifications, algorithms, valid_from, valid_until, retired_at, created_at, updated_at';

const DEFAULT_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'];

const toRecord = (r: IssuerRow): IssuerRecord => ({
  id: r.id,
  name: r.display_name,
  jurisdictions: r.jurisdictions,
  qualifications: r.qualifications,
  algorithms: r.algorithms,
  validFrom: r.valid_from,
  validUntil: r.valid_until,
  retiredAt: r.retired_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export function toTrustedIssuer(r: IssuerRecord): TrustedIssuer {
  return {
    id: r.id,
    name: r.name,
    jurisdictions: r.jurisdictions,
    qualifications: r.qualifications,
    algorithms: r.algorithms,
    validFrom: r.validFrom ?? undefined,
    validUntil: r.validUntil ?? undefined,
    retiredAt: r.retiredAt ?? undefined,
  };
}

/**
 * The trust tables (see migration 1764300200000-trust-registry). Reads run on the pool unless given the transaction
 * they must see; writes always run in the caller's transaction.
 */
@Injectable()
export class TrustRegistryRepository {
  constructor(private readonly db: Database) {}

  async listIssuers(tx?: Transaction): Promise<IssuerRecord[]> {
    const rows = await this.scope(tx).query<IssuerRow>(`SELECT ${ISSUER_COLUMNS} FROM trusted_issuer ORDER BY id`);
    return rows.map(toRecord);
  }

  async findIssuer(id: string): Promise<IssuerRecord | undefined> {
    const row = await this.db.queryOne<IssuerRow>(`SELECT ${ISSUER_COLUMNS} FROM trusted_issuer WHERE id = $1`, [id]);
    return row ? toRecord(row) : undefined;
  }

  /** The issuer, with its row locked for the rest of the transaction. */
  async lockIssuer(tx: Transaction, id: string): Promise<IssuerRecord | undefined> {
    const row = await tx.queryOne<IssuerRow>(`SELECT ${ISSUER_COLUMNS} FROM trusted_issuer WHERE id = $1 FOR UPDATE`, [id]);
    return row ? toRecord(row) : undefined;
  }

  /**
   * Locks the three trust tables against every other write until the transaction ends: one import at a time, and no
   * single-entry edit interleaved with it.
   */
  async lockForImport(tx: Transaction): Promise<void> {
    await tx.execute(`LOCK TABLE trusted_issuer, qualification, qualification_rule IN SHARE ROW EXCLUSIVE MODE`);
  }

  /** Inserts or replaces an issuer entry; returns the stored row. */
  async upsertIssuer(tx: Transaction, issuer: TrustListIssuer, now: Date): Promise<IssuerRecord> {
    const row = await tx.queryOne<IssuerRow>(
      `INSERT INTO trusted_issuer (id, display_name, jurisdictions, qualifications, algorithms, valid_from, valid_until, retired_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
       ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, jurisdictions = EXCLUDED.jurisdictions,
         qualifications = EXCLUDED.qualifications, algorithms = EXCLUDED.algorithms, valid_from = EXCLUDED.valid_from,
         valid_until = EXCLUDED.valid_until, retired_at = EXCLUDED.retired_at, updated_at = EXCLUDED.updated_at
       RETURNING ${ISSUER_COLUMNS}`,
      [
        issuer.id,
        issuer.name,
        issuer.jurisdictions,
        issuer.qualifications,
        issuer.algorithms ?? DEFAULT_ALGORITHMS,
        issuer.validFrom ?? null,
        issuer.validUntil ?? null,
        issuer.retiredAt ?? null,
        now,
      ],
    );
    if (!row) throw new Error(`upsert of trusted_issuer ${issuer.id} returned no row`);
    return toRecord(row);
  }

  /** Inserts a new issuer entry; undefined when one with this id exists. */
  async insertIssuer(tx: Transaction, issuer: TrustListIssuer, now: Date): Promise<IssuerRecord | undefined> {
    const row = await tx.queryOne<IssuerRow>(
      `INSERT INTO trusted_issuer (id, display_name, jurisdictions, qualifications, algorithms, valid_from, valid_until, retired_at, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $8)
       ON CONFLICT (id) DO NOTHING RETURNING ${ISSUER_COLUMNS}`,
      [
        issuer.id,
        issuer.name,
        issuer.jurisdictions,
        issuer.qualifications,
        issuer.algorithms ?? DEFAULT_ALGORITHMS,
        issuer.validFrom ?? null,
        issuer.validUntil ?? null,
        now,
      ],
    );
    return row ? toRecord(row) : undefined;
  }

  async retireIssuer(tx: Transaction, id: string, at: Date): Promise<IssuerRecord> {
    const row = await tx.queryOne<IssuerRow>(`UPDATE trusted_issuer SET retired_at = $2, updated_at = $2 WHERE id = $1 RETURNING ${ISSUER_COLUMNS}`, [id, at]);
    if (!row) throw new Error(`trusted_issuer ${id} vanished while locked`);
    return toRecord(row);
  }

  /** Deletes the issuers whose id is not in `ids`; returns the ids deleted. */
  async deleteIssuersNotIn(tx: Transaction, ids: string[]): Promise<string[]> {
    const rows = await tx.query<{ id: string }>(`DELETE FROM trusted_issuer WHERE NOT (id = ANY($1::text[])) RETURNING id`, [ids]);
    return rows.map((r) => r.id);
  }

  /** Qualifications in registry order, each with its rules in priority order. */
  async listQualifications(): Promise<TrustListQualification[]> {
    const rows = await this.db.query<RuleRow>(
      `SELECT q.code AS qualification_code, q.name AS qualification_name, r.achievement_id, r.achievement_types, r.achievement_name, r.credential_type, r.vct
         FROM qualification q LEFT JOIN qualification_rule r ON r.qualification_code = q.code
        ORDER BY q.position, q.code, r.position`,
    );
    const byCode = new Map<string, TrustListQualification>();
    for (const row of rows) {
      let q = byCode.get(row.qualification_code);
      if (!q) {
        q = { code: row.qualification_code, name: row.qualification_name, rules: [] };
        byCode.set(q.code, q);
      }
      const rule = ruleOf(row);
      if (rule) q.rules.push(rule);
    }
    return [...byCode.values()];
  }

  async qualificationCodes(tx: Transaction): Promise<Set<string>> {
    const rows = await tx.query<{ code: string }>(`SELECT code FROM qualification`);
    return new Set(rows.map((r) => r.code));
  }

  /** Replaces all qualifications and their rules (issuer rows keep their codes: caller inserts issuers after). */
  async replaceQualifications(tx: Transaction, qualifications: TrustListQualification[], now: Date): Promise<void> {
    await tx.execute(`DELETE FROM qualification_rule`);
    await tx.execute(`DELETE FROM qualification WHERE NOT (code = ANY($1::text[]))`, [qualifications.map((q) => q.code)]);
    for (const [position, q] of qualifications.entries()) {
      await tx.execute(
        `INSERT INTO qualification (code, name, position, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
         ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
        [q.code, q.name, position, now],
      );
      for (const [rulePosition, rule] of q.rules.entries()) {
        await tx.execute(
          `INSERT INTO qualification_rule (qualification_code, position, achievement_id, achievement_types, achievement_name, credential_type, vct)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [
            q.code,
            rulePosition,
            'achievementId' in rule ? rule.achievementId : null,
            'achievementTypes' in rule ? rule.achievementTypes : null,
            'achievementName' in rule ? rule.achievementName : null,
            'credentialType' in rule ? rule.credentialType : null,
            'vct' in rule ? rule.vct : null,
          ],
        );
      }
    }
  }

  private scope(tx: Transaction | undefined): SqlScope {
    return tx ?? this.db;
  }
}

function ruleOf(row: RuleRow): TrustListRule | undefined {
  if (row.achievement_id !== null) return { achievementId: row.achievement_id };
  if (row.achievement_name !== null) return { achievementTypes: row.achievement_types ?? [], achievementName: row.achievement_name };
  if (row.credential_type !== null) return { credentialType: row.credential_type };
  if (row.vct !== null) return { vct: row.vct };
  return undefined;
}

export function rulesFromQualifications(qualifications: TrustListQualification[]): QualificationRule[] {
  return qualifications.flatMap((q) => q.rules.map((rule) => ({ qualification: q.code, ...rule })));
}
