import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CredentialSummary, StatusEntrySummary } from '@app/credentials';

/** A credential as a responder presented it (the exact JWS, kept for reverification and audit). */
@Entity({ name: 'presented_credential' })
export class PresentedCredentialEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) hash!: string;
  @Column({ type: 'text' }) jws!: string;
  @Column({ name: 'responder_id', type: 'uuid', nullable: true }) responderId!: string | null;
  @Column({ type: 'text', nullable: true }) format!: string | null;
  @Column({ name: 'issuer_id', type: 'text', nullable: true }) issuerId!: string | null;
  @Column({ type: 'text', nullable: true }) qualification!: string | null;
  @Column({ name: 'license_number', type: 'text', nullable: true }) licenseNumber!: string | null;
  @Column({ name: 'valid_from', type: 'timestamptz', nullable: true }) validFrom!: Date | null;
  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true }) validUntil!: Date | null;
  @Column({ name: 'status_entries', type: 'jsonb' }) statusEntries!: StatusEntrySummary[];
  @Column({ name: 'key_thumbprint', type: 'text', nullable: true }) keyThumbprint!: string | null;
  @Column({ type: 'jsonb', nullable: true }) summary!: CredentialSummary | null;
  @Column({ name: 'first_seen_at', type: 'timestamptz' }) firstSeenAt!: Date;
  @Column({ name: 'last_verified_at', type: 'timestamptz', nullable: true }) lastVerifiedAt!: Date | null;
  @Column({ name: 'last_verified', type: 'boolean' }) lastVerified!: boolean;
}
