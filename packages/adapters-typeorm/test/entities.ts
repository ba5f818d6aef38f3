/** Test entities: every value type, indexes with each option, a relation, a migration column. */
import 'reflect-metadata';
import { BaseEntity, Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { BlindIndex, Encrypted } from '../src/index.js';

@Entity({ name: 'patients' })
export class Patient extends BaseEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Encrypted({ nullable: true })
  email!: string | null;

  @BlindIndex({ of: 'email', unique: true })
  emailHash!: string | null;

  @Encrypted({ nullable: true })
  phone!: string | null;

  @BlindIndex({ of: 'phone', normalize: ['phone'] })
  phoneHash!: string | null;

  @Encrypted({ type: 'date', nullable: true })
  dob!: Date | null;

  @Encrypted({ type: 'json', nullable: true })
  prefs!: { theme: string; langs: string[] } | null;

  @Encrypted({ type: 'number', nullable: true })
  score!: number | null;

  @Encrypted({ type: 'bigint', nullable: true })
  balance!: bigint | null;

  @Encrypted({ type: 'boolean', nullable: true })
  vip!: boolean | null;

  @Encrypted({ type: 'bytes', nullable: true })
  photo!: Uint8Array | null;

  /** Shared with a legacy service: SearchableEmail-compatible index. */
  @Encrypted({ name: 'work_email', nullable: true })
  workEmail!: string | null;

  @BlindIndex({ of: 'workEmail', compat: 'sha3', name: 'work_email_sha3' })
  workEmailHash!: string | null;

  @Encrypted({ nullable: true, migration: 'accept-plaintext' })
  legacyNote!: string | null;

  @OneToMany(
    () => Note,
    (n) => n.patient,
  )
  notes!: Note[];
}

@Entity({ name: 'notes' })
export class Note extends BaseEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  title!: string;

  @Encrypted({ nullable: true })
  body!: string | null;

  @ManyToOne(
    () => Patient,
    (p) => p.notes,
    { onDelete: 'CASCADE' },
  )
  patient!: Patient;
}

/** Plain TypeORM, no decorators of ours: the subscriber must leave it alone. */
@Entity({ name: 'plain_rows' })
export class PlainRow {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 100 })
  label!: string;
}
