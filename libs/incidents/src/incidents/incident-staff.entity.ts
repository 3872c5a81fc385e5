import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Commanders and check-in staff assigned to an incident (what they may see and act on). */
@Entity({ name: 'incident_staff' })
export class IncidentStaffEntity {
  @PrimaryColumn({ name: 'incident_id', type: 'uuid' }) incidentId!: string;
  @PrimaryColumn({ name: 'user_id', type: 'uuid' }) userId!: string;
  @Column({ name: 'assigned_by', type: 'uuid', nullable: true }) assignedBy!: string | null;
  @Column({ name: 'assigned_at', type: 'timestamptz' }) assignedAt!: Date;
}
