import { Column, Entity, PrimaryGeneratedColumn, VersionColumn } from 'typeorm';
import type { CredentialFlag, OutOfServiceReason, ResourceStatus } from '@app/realtime';
import type { Ics211Fields } from './ics211';

/** ICS resource status while deployed; `demobilized` once checked out. */
export type DeploymentStatus = ResourceStatus | 'demobilized';
export type AdmitDecision = 'admitted' | 'admitted_with_warnings';

/** A responder's stay at an incident, from check-in to check-out. */
@Entity({ name: 'deployment' })
export class DeploymentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'responder_id', type: 'uuid' }) responderId!: string;
  @Column({ name: 'credential_id', type: 'uuid' }) credentialId!: string;
  @Column({ name: 'position_id', type: 'uuid', nullable: true }) positionId!: string | null;
  @Column({ name: 'location_id', type: 'uuid', nullable: true }) locationId!: string | null;
  @Column({ type: 'text' }) decision!: AdmitDecision;
  @Column({ type: 'text' }) status!: DeploymentStatus;
  @Column({ name: 'status_reason', type: 'text', nullable: true }) statusReason!: OutOfServiceReason | null;
  @Column({ type: 'text', nullable: true }) assignment!: string | null;
  @Column({ name: 'credential_flag', type: 'jsonb', nullable: true }) credentialFlag!: CredentialFlag | null;
  @Column({ type: 'jsonb' }) ics211!: Ics211Fields;
  @Column({ name: 'checked_in_at', type: 'timestamptz' }) checkedInAt!: Date;
  @Column({ name: 'checked_in_by', type: 'uuid', nullable: true }) checkedInBy!: string | null;
  @Column({ name: 'checked_out_at', type: 'timestamptz', nullable: true }) checkedOutAt!: Date | null;
  @Column({ name: 'checked_out_by', type: 'uuid', nullable: true }) checkedOutBy!: string | null;
  @Column({ name: 'last_reverified_at', type: 'timestamptz', nullable: true }) lastReverifiedAt!: Date | null;
  @VersionColumn() version!: number;
}
