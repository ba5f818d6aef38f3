/**
 * The entity subscriber: encrypts before every insert and update (repository save/insert/update,
 * Active Record save, query-builder insert/update), puts the plaintext back on the application's
 * object afterwards, and decrypts after every load (relations included: TypeORM broadcasts the
 * load event for each loaded related entity with its own metadata).
 */
import type {
  EntityMetadata,
  EntitySubscriberInterface,
  InsertEvent,
  LoadEvent,
  ObjectLiteral,
  UpdateEvent,
} from 'typeorm';
import { FieldConfigError } from '@quantumapi/sdk/fields';
import type { QuantumApiAdapter } from './adapter.js';
import { resolveEntity } from './model.js';

export class QuantumApiSubscriber implements EntitySubscriberInterface<ObjectLiteral> {
  readonly #a: QuantumApiAdapter;

  constructor(adapter: QuantumApiAdapter) {
    this.#a = adapter;
  }

  beforeInsert(event: InsertEvent<ObjectLiteral>): Promise<void> | undefined {
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

/**
 * Left on a DataSource after `close()`: the decorators still declare encrypted columns, so a
 * write would store plaintext and a load would hand out ciphertext as values. Both throw instead.
 */
export class ClosedGuardSubscriber implements EntitySubscriberInterface<ObjectLiteral> {
  #refuse(metadata: EntityMetadata | undefined): void {
    if (metadata && resolveEntity(metadata)) {
      throw new FieldConfigError(`QuantumAPI was closed on this DataSource: ${metadata.name} has encrypted columns`, {
        details: { entity: metadata.name },
      });
    }
  }

  beforeInsert(event: InsertEvent<ObjectLiteral>): void {
    this.#refuse(event.metadata);
  }

  beforeUpdate(event: UpdateEvent<ObjectLiteral>): void {
    this.#refuse(event.metadata);
  }

  afterLoad(_entity: ObjectLiteral, event?: LoadEvent<ObjectLiteral>): void {
    this.#refuse(event?.metadata);
  }
}
