import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditActor } from '@app/audit';
import type { Ics211Fields } from './ics211';

/** Every edit of a deployment's ICS 211 record, with the values before and after. */
@Entity({ name: 'ics211_edit' })
export class Ics211EditEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'deployment_id', type: 'uuid' }) deploymentId!: string;
  @Column({ type: 'text', array: true }) fields!: string[];
  @Column({ type: 'jsonb' }) before!: Partial<Ics211Fields>;
  @Column({ type: 'jsonb' }) after!: Partial<Ics211Fields>;
  @Column({ name: 'changed_by', type: 'jsonb' }) changedBy!: AuditActor;
  @Column({ name: 'changed_at', type: 'timestamptz' }) changedAt!: Date;
}
