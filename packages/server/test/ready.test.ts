/** Liveness and readiness: open to anyone, so readiness must not let them drive the store. */
import { MemoryStore, type StoredRecord } from '@quantumapi/sdk';
import { describe, expect, it, vi } from 'vitest';
import { inProcessApp } from './in-process-app.js';

class ProbedStore extends MemoryStore {
  reads = 0;
  failing = false;
  override get<T>(tenant: string, collection: string, id: string): Promise<StoredRecord<T> | undefined> {
    if (collection === '_meta') {
      this.reads++;
      if (this.failing) return Promise.reject(new Error('connection refused'));
    }
    return super.get<T>(tenant, collection, id);
  }
}

describe('/ready', () => {
  it('reads the store at most once a second, however many ask, and says 503 while it is down', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { app, store } = inProcessApp({ store: new ProbedStore() });
      const many = await Promise.all(Array.from({ length: 50 }, () => app.request('/ready')));
      expect(many.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(store.reads).toBe(1);
      expect((await app.request('/api/v1/ready')).status).toBe(200);
      expect(store.reads).toBe(1);

      store.failing = true;
      vi.advanceTimersByTime(1000);
      const down = await app.request('/ready');
      expect(down.status).toBe(503);
      expect(((await down.json()) as { code: string }).code).toBe('STORE_UNAVAILABLE');
      expect(store.reads).toBe(2);

      store.failing = false;
      vi.advanceTimersByTime(999);
      expect((await app.request('/ready')).status).toBe(503); // the last answer stands for a second
      vi.advanceTimersByTime(1);
      expect((await app.request('/ready')).status).toBe(200);
      expect(store.reads).toBe(3);
      expect((await app.request('/health')).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });
});
