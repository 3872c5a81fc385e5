import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { VerificationCheck, VerificationEvidence } from '@app/credentials';

export type VerificationKind = 'check_in' | 'reverification' | 'manual';

/** Each time a credential was verified: how, when, every check and the evidence. */
@Entity({ name: 'verification' })
export class VerificationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'credential_id', type: 'uuid', nullable: true }) credentialId!: string | null;
  @Column({ name: 'incident_id', type: 'uuid', nullable: true }) incidentId!: string | null;
  @Column({ type: 'text' }) kind!: VerificationKind;
  @Column({ type: 'boolean' }) verified!: boolean;
  @Column({ type: 'jsonb' }) checks!: VerificationCheck[];
  @Column({ type: 'jsonb' }) evidence!: VerificationEvidence;
  @Column({ name: 'performed_at', type: 'timestamptz' }) performedAt!: Date;
}
