import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { CheckInLocationEntity } from './check-in-location.entity';
import { OperationalPeriodEntity } from './operational-period.entity';
import { PositionEntity } from './position.entity';

export type IncidentState = 'active' | 'closed';
/** What a check-in does when a status list cannot be read: admit with a warning, or deny. */
export type StatusUnavailablePolicy = 'admit_with_warning' | 'deny';

@Entity({ name: 'incident' })
export class IncidentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text' }) number!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ type: 'text' }) jurisdiction!: string;
  @Column({ name: 'mutual_aid_jurisdictions', type: 'text', array: true, default: () => `'{}'` }) mutualAidJurisdictions!: string[];
  @Column({ name: 'status_unavailable_policy', type: 'text' }) statusUnavailablePolicy!: StatusUnavailablePolicy;
  @Column({ name: 'time_zone', type: 'text' }) timeZone!: string;
  @Column({ type: 'text' }) state!: IncidentState;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;

  @OneToMany(() => CheckInLocationEntity, (l) => l.incident) locations?: CheckInLocationEntity[];
  @OneToMany(() => PositionEntity, (p) => p.incident) positions?: PositionEntity[];
  @OneToMany(() => OperationalPeriodEntity, (p) => p.incident) operationalPeriods?: OperationalPeriodEntity[];
}
