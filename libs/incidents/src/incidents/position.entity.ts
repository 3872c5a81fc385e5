import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { IncidentEntity } from './incident.entity';

/** A position at an incident; a responder qualifies by holding at least one of `requiredQualifications`. */
@Entity({ name: 'incident_position' })
export class PositionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ name: 'required_qualifications', type: 'text', array: true }) requiredQualifications!: string[];
  @ManyToOne('IncidentEntity', 'positions') @JoinColumn({ name: 'incident_id' }) incident?: IncidentEntity;
}
