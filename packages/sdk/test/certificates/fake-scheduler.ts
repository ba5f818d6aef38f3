/** A deterministic scheduler over a fake clock: timers fire only when the test advances time. */
import type { Scheduler } from '../../src/certificates/rotating.js';
import type { Clock } from './context.js';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

/** Lets pending promise chains (store calls, signing) run to completion between timer firings. */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
};

export class FakeScheduler implements Scheduler {
  #next = 1;
  timers: Timer[] = [];
  constructor(readonly clock: Clock) {}

  setTimeout(fn: () => void, ms: number): unknown {
    const t = { id: this.#next++, at: this.clock.now().getTime() + ms, fn };
    this.timers.push(t);
    return t.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Delay of the next pending timer from now, or undefined. */
  get nextDelay(): number | undefined {
    if (this.timers.length === 0) return undefined;
    return Math.min(...this.timers.map((t) => t.at)) - this.clock.now().getTime();
  }

  /** Moves the clock forward, firing due timers in order and letting their async work finish. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now().getTime() + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.clock.set(new Date(due.at));
      due.fn();
    }
    this.clock.set(new Date(target));
    await settle();
  }
}
