import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditActor } from '@app/audit';

/** Append-only status history of a deployment (ICS 210 / T-card log): from, to, when, who, why. */
@Entity({ name: 'deployment_status_event' })
export class DeploymentStatusEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'deployment_id', type: 'uuid' }) deploymentId!: string;
  @Column({ name: 'from_status', type: 'text', nullable: true }) fromStatus!: string | null;
  @Column({ name: 'from_reason', type: 'text', nullable: true }) fromReason!: string | null;
  @Column({ name: 'from_assignment', type: 'text', nullable: true }) fromAssignment!: string | null;
  @Column({ name: 'to_status', type: 'text' }) toStatus!: string;
  @Column({ name: 'to_reason', type: 'text', nullable: true }) toReason!: string | null;
  @Column({ name: 'to_assignment', type: 'text', nullable: true }) toAssignment!: string | null;
  @Column({ type: 'text', nullable: true }) note!: string | null;
  @Column({ name: 'changed_by', type: 'jsonb' }) changedBy!: AuditActor;
  @Column({ name: 'changed_at', type: 'timestamptz' }) changedAt!: Date;
}
