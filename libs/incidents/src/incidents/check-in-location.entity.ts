import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { IncidentEntity } from './incident.entity';

/** ICS 211 block 3. */
export const LOCATION_KINDS = ['Base', 'Staging Area', 'ICP', 'Helibase', 'Other'] as const;
export type LocationKind = (typeof LOCATION_KINDS)[number];

@Entity({ name: 'check_in_location' })
export class CheckInLocationEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) kind!: LocationKind;
  @ManyToOne('IncidentEntity', 'locations') @JoinColumn({ name: 'incident_id' }) incident?: IncidentEntity;
}
