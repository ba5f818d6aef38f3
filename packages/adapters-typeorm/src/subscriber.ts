/**
 * The entity subscriber: encrypts before every insert and update (repository save/insert/update,
 * Active Record save, query-builder insert/update), puts the plaintext back on the application's
 * object afterwards, and decrypts after every load (relations included: TypeORM broadcasts the
 * load event for each loaded related entity with its own metadata).
 */
import type { EntitySubscriberInterface, InsertEvent, LoadEvent, ObjectLiteral, UpdateEvent } from 'typeorm';
import type { QuantumApiAdapter } from './adapter.js';

export class QuantumApiSubscriber implements EntitySubscriberInterface<ObjectLiteral> {
  readonly #a: QuantumApiAdapter;

  constructor(adapter: QuantumApiAdapter) {
    this.#a = adapter;
  }

  beforeInsert(event: InsertEvent<ObjectLiteral>): Promise<void> {
    return this.#a.seal(event.metadata, event.entity);
  }

  afterInsert(event: InsertEvent<ObjectLiteral>): void {
    this.#a.restore(event.entity);
  }

  beforeUpdate(event: UpdateEvent<ObjectLiteral>): Promise<void> | undefined {
    return event.entity ? this.#a.seal(event.metadata, event.entity, event.databaseEntity) : undefined;
  }

  afterUpdate(event: UpdateEvent<ObjectLiteral>): void {
    this.#a.restore(event.entity);
  }

  afterLoad(entity: ObjectLiteral, event?: LoadEvent<ObjectLiteral>): Promise<void> | undefined {
    return event ? this.#a.open(event.metadata, entity) : undefined;
  }
}
