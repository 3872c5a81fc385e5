import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { IncidentEntity } from './incident.entity';

@Entity({ name: 'operational_period' })
export class OperationalPeriodEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ type: 'text' }) label!: string;
  @Column({ name: 'starts_at', type: 'timestamptz' }) startsAt!: Date;
  @Column({ name: 'ends_at', type: 'timestamptz' }) endsAt!: Date;
  @ManyToOne('IncidentEntity', 'operationalPeriods') @JoinColumn({ name: 'incident_id' }) incident?: IncidentEntity;
}
