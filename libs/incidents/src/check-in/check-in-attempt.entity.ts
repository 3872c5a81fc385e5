import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CheckInDecision, CheckInReason } from './check-in.types';

/** Every scan at a check-in point, admitted or denied; the response is kept to replay an Idempotency-Key exactly. */
@Entity({ name: 'check_in_attempt' })
export class CheckInAttemptEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ name: 'performed_by', type: 'uuid' }) performedBy!: string;
  @Column({ name: 'idempotency_key', type: 'text', nullable: true }) idempotencyKey!: string | null;
  @Column({ name: 'request_hash', type: 'text' }) requestHash!: string;
  @Column({ type: 'text' }) decision!: CheckInDecision;
  @Column({ type: 'jsonb' }) reasons!: CheckInReason[];
  @Column({ name: 'credential_hash', type: 'text', nullable: true }) credentialHash!: string | null;
  @Column({ name: 'responder_id', type: 'uuid', nullable: true }) responderId!: string | null;
  @Column({ name: 'deployment_id', type: 'uuid', nullable: true }) deploymentId!: string | null;
  @Column({ name: 'verification_id', type: 'uuid', nullable: true }) verificationId!: string | null;
  @Column({ name: 'location_id', type: 'uuid', nullable: true }) locationId!: string | null;
  @Column({ name: 'device_id', type: 'text', nullable: true }) deviceId!: string | null;
  @Column({ name: 'response_status', type: 'integer' }) responseStatus!: number;
  /** The response body (a CheckInResponse) as the JSON text that was sent: a replay sends the same bytes. */
  @Column({ type: 'text' }) response!: string;
  @Column({ name: 'performed_at', type: 'timestamptz' }) performedAt!: Date;
}
