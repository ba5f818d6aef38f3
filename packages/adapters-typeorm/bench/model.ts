/** The bench's entities, rows and timing helpers, shared by typeorm.ts and split.ts. */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { BlindIndex, Encrypted } from '../src/index.js';

export const arg = (name: string, fallback: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
};
export const ROWS = arg('rows', 10_000);
export const RUNS = arg('runs', 5);

@Entity({ name: 'enc_people' })
export class EncPerson {
  @PrimaryGeneratedColumn()
  id!: number;
  @Column({ type: 'varchar', length: 100 })
  name!: string;
  @Encrypted()
  email!: string;
  @BlindIndex({ of: 'email', unique: true, nullable: false })
  emailHash!: string;
  @Encrypted()
  phone!: string;
  @BlindIndex({ of: 'phone', normalize: ['phone'] })
  phoneHash!: string | null;
  @Encrypted({ type: 'date' })
  dob!: Date;
}

/**
 * The storage floor: EncPerson's columns (TEXT ciphertexts, VARCHAR(64) hex indexes) as plain
 * TypeORM columns, saved with the very values the adapter wrote. What the longer stored values
 * cost the database and TypeORM, with no adapter or engine CPU.
 */
@Entity({ name: 'floor_people' })
export class FloorPerson {
  @PrimaryGeneratedColumn()
  id!: number;
  @Column({ type: 'varchar', length: 100 })
  name!: string;
  @Column({ type: 'text' })
  email!: string;
  @Column({ type: 'varchar', length: 64, unique: true, nullable: false })
  emailHash!: string;
  @Column({ type: 'text' })
  phone!: string;
  @Column({ type: 'varchar', length: 64, nullable: true })
  phoneHash!: string | null;
  @Column({ type: 'text' })
  dob!: string;
}

/** The same data in the clear, with the same unique and plain indexes. */
@Entity({ name: 'plain_people' })
export class PlainPerson {
  @PrimaryGeneratedColumn()
  id!: number;
  @Column({ type: 'varchar', length: 100 })
  name!: string;
  @Column({ type: 'varchar', length: 200, unique: true })
  email!: string;
  @Column({ type: 'varchar', length: 64, nullable: true })
  phone!: string;
  @Column({ type: 'varchar', length: 40 })
  dob!: string;
}

/** `salt` keeps emails unique across runs on a database that outlives one run. */
export const people = (n: number, salt: string | number) =>
  Array.from({ length: n }, (_, i) => ({
    name: `person ${i}`,
    email: `person.${i}.${salt}@examplemail.com`,
    phone: `+34 600 ${String(i).padStart(6, '0')}`,
    dob: new Date(Date.UTC(1950 + (i % 50), i % 12, 1 + (i % 28))),
  }));

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const time = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await fn();
  return performance.now() - t;
};
