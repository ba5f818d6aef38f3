/** A real local context: the lead's MemoryStore and tenant keyring, with a controllable clock. */
import { defaultProviders } from '#runtime';
import type { LocalContext } from '../../src/local/context.js';
import { createTenantKeyring } from '../../src/local/keyring.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import type { RecordStore } from '../../src/local/stores/types.js';

export interface Clock {
  now: () => Date;
  set(d: Date): void;
  advance(ms: number): void;
}

export const clock = (start: Date): Clock => {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d) => {
      t = d.getTime();
    },
    advance: (ms) => {
      t += ms;
    },
  };
};

export const localContext = (
  o: { store?: RecordStore; now?: () => Date; tenant?: string; dataKey?: Uint8Array } = {},
): LocalContext & { dataKey: Uint8Array } => {
  const tenant = o.tenant ?? 'acme';
  const dataKey = o.dataKey ?? defaultProviders.random.randomBytes(32);
  return {
    tenant,
    store: o.store ?? new MemoryStore(),
    keyring: createTenantKeyring(defaultProviders, tenant, dataKey),
    providers: defaultProviders,
    now: o.now ?? (() => new Date()),
    dataKey,
  };
};
