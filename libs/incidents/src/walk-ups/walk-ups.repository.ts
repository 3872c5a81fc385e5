import { Injectable } from '@nestjs/common';
import type { AuditActor } from '@app/audit';
import { Database, type SqlScope, type Transaction } from '@app/db';
import type { JWK } from 'jose';
import type { IdSeen, WalkUp, WalkUpEvidence, WalkUpStatus } from './walk-up';

interface WalkUpRow {
  id: string;
  incident_id: string;
  responder_id: string;
  deployment_id: string;
  name: string;
  contact: string;
  claimed_qualifications: string[];
  id_seen: IdSeen;
  agency: string | null;
  home_state: string | null;
  status: WalkUpStatus;
  verified_qualifications: string[];
  verification: WalkUpEvidence | null;
  registered_by: string;
  registered_at: Date;
  verified_at: Date | null;
}

interface BadgeKeyRow {
  kid: string;
  public_jwk: JWK;
  sealed_private_key: string;
}

export interface StoredBadgeKey {
  kid: string;
  publicJwk: JWK;
  sealedPrivateKey: string;
}

/** The rows a walk-up intake opens: the person, their (placeholder) credential, the deployment and the intake record. */
export interface WalkUpIntake {
  walkUp: Omit<WalkUp, 'status' | 'verifiedQualifications' | 'verification' | 'verifiedAt'>;
  credentialId: string;
  positionId: string | null;
  locationId: string | null;
  changedBy: AuditActor;
}

/** The verified credential a walk-up presented, as presented_credential keeps it. */
export interface PresentedForWalkUp {
  id: string;
  hash: string;
  jws: string;
  format: string;
  issuerId: string;
  qualification: string | null;
  licenseNumber: string | null;
  validFrom: string | null;
  validUntil: string | null;
  statusEntries: unknown;
  keyThumbprint: string | null;
  summary: unknown;
}

const COLUMNS = `id, incident_id, responder_id, deployment_id, name, contact, claimed_qualifications, id_seen, agency, home_state, status,
  verified_qualifications, verification, registered_by, registered_at, verified_at`;

/**
 * Walk-up volunteers (walk_up) and each incident's temporary-badge key (walk_up_badge_key); the responder, placeholder
 * credential and deployment rows an intake opens, and the credential an upgrade links.
 */
@Injectable()
export class WalkUpsRepository {
  constructor(private readonly database: Database) {}

  async list(incidentId: string): Promise<WalkUp[]> {
    const rows = await this.database.query<WalkUpRow>(`SELECT ${COLUMNS} FROM walk_up WHERE incident_id = $1 ORDER BY registered_at DESC, id`, [incidentId]);
    return rows.map(toWalkUp);
  }

  async get(incidentId: string, walkUpId: string, scope: SqlScope = this.database): Promise<WalkUp | undefined> {
    const row = await scope.queryOne<WalkUpRow>(`SELECT ${COLUMNS} FROM walk_up WHERE incident_id = $1 AND id = $2`, [incidentId, walkUpId]);
    return row && toWalkUp(row);
  }

  async lock(tx: Transaction, incidentId: string, walkUpId: string): Promise<WalkUp | undefined> {
    const row = await tx.queryOne<WalkUpRow>(`SELECT ${COLUMNS} FROM walk_up WHERE incident_id = $1 AND id = $2 FOR UPDATE`, [incidentId, walkUpId]);
    return row && toWalkUp(row);
  }

  /**
   * The intake: a responder known only by name (no subject, issuer or licence: nothing verified says who they are), a
   * placeholder credential row (format walk_up, never reverified), the deployment with its first status, the record.
   */
  async insertIntake(tx: Transaction, intake: WalkUpIntake): Promise<void> {
    const w = intake.walkUp;
    await tx.execute(`INSERT INTO responder (id, name, created_at, updated_at) VALUES ($1, $2, $3, $3)`, [w.responderId, w.name, w.registeredAt]);
    await tx.execute(
      `INSERT INTO presented_credential (id, hash, jws, responder_id, format, first_seen_at, last_verified)
       VALUES ($1, $2, '', $3, 'walk_up', $4, false)`,
      [intake.credentialId, `walk-up:${w.id}`, w.responderId, w.registeredAt],
    );
    await this.openDeployment(tx, {
      deploymentId: w.deploymentId,
      incidentId: w.incidentId,
      responderId: w.responderId,
      credentialId: intake.credentialId,
      positionId: intake.positionId,
      locationId: intake.locationId,
      ics211: { resourceName: w.name, ...(w.agency && { agency: w.agency }) },
      at: w.registeredAt,
      by: w.registeredBy,
      changedBy: intake.changedBy,
      note: 'walk-up intake',
    });
    await tx.execute(
      `INSERT INTO walk_up (id, incident_id, responder_id, deployment_id, name, contact, claimed_qualifications, id_seen, agency, home_state,
                            registered_by, registered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        w.id,
        w.incidentId,
        w.responderId,
        w.deploymentId,
        w.name,
        w.contact,
        w.claimedQualifications,
        w.idSeen,
        w.agency,
        w.homeState,
        w.registeredBy,
        w.registeredAt,
      ],
    );
  }

  /** A new deployment for a walk-up whose last one was checked out (their temporary badge scanned again). */
  async reopen(
    tx: Transaction,
    walkUp: WalkUp,
    d: { deploymentId: string; credentialId: string; positionId: string | null; locationId: string | null; at: Date; by: string; changedBy: AuditActor },
  ): Promise<void> {
    await this.openDeployment(tx, {
      ...d,
      incidentId: walkUp.incidentId,
      responderId: walkUp.responderId,
      ics211: { resourceName: walkUp.name, ...(walkUp.agency && { agency: walkUp.agency }) },
      note: 'walk-up badge scanned',
    });
    await tx.execute(`UPDATE walk_up SET deployment_id = $2, version = version + 1 WHERE id = $1`, [walkUp.id, d.deploymentId]);
  }

  /** The walk-up's deployment: its credential row, and whether it is still active. */
  async deploymentOf(tx: Transaction, deploymentId: string): Promise<{ credentialId: string; active: boolean; positionId: string | null } | undefined> {
    const row = await tx.queryOne<{ credential_id: string; checked_out_at: Date | null; position_id: string | null }>(
      `SELECT credential_id, checked_out_at, position_id FROM deployment WHERE id = $1 FOR UPDATE`,
      [deploymentId],
    );
    return row && { credentialId: row.credential_id, active: row.checked_out_at === null, positionId: row.position_id };
  }

  async setPosition(tx: Transaction, deploymentId: string, positionId: string | null): Promise<void> {
    await tx.execute(`UPDATE deployment SET position_id = $2, version = version + 1 WHERE id = $1`, [deploymentId, positionId]);
  }

  async markVerified(tx: Transaction, walkUpId: string, qualifications: string[], evidence: WalkUpEvidence, at: Date): Promise<void> {
    await tx.execute(
      `UPDATE walk_up SET status = 'verified', verified_qualifications = $2, verification = $3, verified_at = $4, version = version + 1 WHERE id = $1`,
      [walkUpId, qualifications, evidence, at],
    );
  }

  /**
   * Another responder already known by this credential's subject (or issuer and licence number), if any: the walk-up
   * cannot take over that person's identity. The keys are matching hashes (MatchingHash), as `responder` keeps them.
   */
  async otherResponderWith(
    tx: Transaction,
    responderId: string,
    keys: { subjectHash: string | null; issuerId: string; licenceHash: string | null },
  ): Promise<string | undefined> {
    const row = await tx.queryOne<{ id: string }>(
      `SELECT id FROM responder
        WHERE id <> $1 AND (($2::text IS NOT NULL AND subject_hash = $2) OR ($2::text IS NULL AND $4::text IS NOT NULL AND issuer_id = $3 AND licence_hash = $4 AND subject_hash IS NULL))
        LIMIT 1`,
      [responderId, keys.subjectHash, keys.issuerId, keys.licenceHash],
    );
    return row?.id;
  }

  /** The credential the walk-up presented, recorded as theirs; the responder now known by it; the deployment resting on it. */
  async linkCredential(
    tx: Transaction,
    walkUp: WalkUp,
    c: PresentedForWalkUp,
    identity: { name: string; email: string | null; subjectHash: string | null; licenceHash: string | null },
  ): Promise<string | 'held_by_other'> {
    const row = await tx.queryOne<{ id: string; responder_id: string | null }>(
      `INSERT INTO presented_credential (id, hash, jws, responder_id, format, issuer_id, qualification, license_number, valid_from, valid_until,
                                         status_entries, key_thumbprint, summary, last_verified_at, last_verified)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now(), true)
       ON CONFLICT (hash) DO UPDATE SET last_verified_at = now(), last_verified = true, jws = EXCLUDED.jws, summary = EXCLUDED.summary, purged_at = NULL
       RETURNING id, responder_id`,
      [
        c.id,
        c.hash,
        c.jws,
        walkUp.responderId,
        c.format,
        c.issuerId,
        c.qualification,
        c.licenseNumber,
        c.validFrom,
        c.validUntil,
        JSON.stringify(c.statusEntries ?? []),
        c.keyThumbprint,
        c.summary,
      ],
    );
    if (!row) throw new Error('WalkUpsRepository.linkCredential: no row returned');
    if (row.responder_id !== null && row.responder_id !== walkUp.responderId) return 'held_by_other';
    if (row.responder_id === null) await tx.execute(`UPDATE presented_credential SET responder_id = $2 WHERE id = $1`, [row.id, walkUp.responderId]);
    await tx.execute(
      `UPDATE responder SET subject_hash = $2, issuer_id = $3, licence_hash = $4, name = $5, email = COALESCE($6, email), updated_at = now() WHERE id = $1`,
      [walkUp.responderId, identity.subjectHash, c.issuerId, identity.licenceHash, identity.name, identity.email],
    );
    await tx.execute(`UPDATE deployment SET credential_id = $2, version = version + 1 WHERE id = $1`, [walkUp.deploymentId, row.id]);
    return row.id;
  }

  async badgeKey(incidentId: string): Promise<StoredBadgeKey | undefined> {
    const row = await this.database.queryOne<BadgeKeyRow>(`SELECT kid, public_jwk, sealed_private_key FROM walk_up_badge_key WHERE incident_id = $1`, [
      incidentId,
    ]);
    return row && { kid: row.kid, publicJwk: row.public_jwk, sealedPrivateKey: row.sealed_private_key };
  }

  /** Stores the incident's first badge key; another process's key stored first wins (the caller reads it back). */
  async insertBadgeKey(incidentId: string, key: StoredBadgeKey): Promise<void> {
    await this.database.execute(
      `INSERT INTO walk_up_badge_key (incident_id, kid, public_jwk, sealed_private_key) VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id) DO NOTHING`,
      [incidentId, key.kid, key.publicJwk, key.sealedPrivateKey],
    );
  }

  private async openDeployment(
    tx: Transaction,
    d: {
      deploymentId: string;
      incidentId: string;
      responderId: string;
      credentialId: string;
      positionId: string | null;
      locationId: string | null;
      ics211: Record<string, string>;
      at: Date;
      by: string;
      changedBy: AuditActor;
      note: string;
    },
  ): Promise<void> {
    await tx.execute(
      `INSERT INTO deployment (id, incident_id, responder_id, credential_id, position_id, location_id, decision, status, ics211, checked_in_at, checked_in_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'admitted_with_warnings', 'available', $7, $8, $9)`,
      [d.deploymentId, d.incidentId, d.responderId, d.credentialId, d.positionId, d.locationId, d.ics211, d.at, d.by],
    );
    await tx.execute(
      `INSERT INTO deployment_status_event (deployment_id, from_status, to_status, note, changed_by, changed_at) VALUES ($1, NULL, 'available', $2, $3, $4)`,
      [d.deploymentId, d.note, d.changedBy, d.at],
    );
  }
}

function toWalkUp(r: WalkUpRow): WalkUp {
  return {
    id: r.id,
    incidentId: r.incident_id,
    responderId: r.responder_id,
    deploymentId: r.deployment_id,
    name: r.name,
    contact: r.contact,
    claimedQualifications: r.claimed_qualifications,
    idSeen: r.id_seen,
    agency: r.agency,
    homeState: r.home_state,
    status: r.status,
    verifiedQualifications: r.verified_qualifications,
    verification: r.verification,
    registeredBy: r.registered_by,
    registeredAt: r.registered_at,
    verifiedAt: r.verified_at,
  };
}
