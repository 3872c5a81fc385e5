import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One person across scans and credentials: identified by credential subject id, else issuer + licence number. */
@Entity({ name: 'responder' })
export class ResponderEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'subject_id', type: 'text', nullable: true }) subjectId!: string | null;
  @Column({ name: 'issuer_id', type: 'text', nullable: true }) issuerId!: string | null;
  @Column({ name: 'license_number', type: 'text', nullable: true }) licenseNumber!: string | null;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
