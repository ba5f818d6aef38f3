/**
 * A service's current certificate + private key, kept in memory and renewed before expiry.
 *
 * - start(): first issuance, fail fast (rejects with the typed error).
 * - A periodic check (default hourly) renews once the remaining lifetime drops below `renewBefore`
 *   (default 4 h). Failures back off exponentially (30 s doubling to 1 h) and emit `renewal-failed`;
 *   while the current certificate is inside the renewal window and no renewal succeeded, every
 *   failed attempt also emits `expiring`.
 * - renew() is single-flight: concurrent callers share one request to the CA.
 * - The private key exists only in this object (never written anywhere); timers are unref'd.
 */
import { NotFoundError } from '../errors.js';
import type { MlDsaSigningKey } from './x509/keys.js';
import type { JsonValue, SignedManifest } from './manifest.js';
import { signManifest } from './manifest.js';

/** What one issuance yields. */
export interface CertificateBundle {
  /** PEM leaf certificate. */
  readonly certificate: string;
  /** PEM issuer chain, nearest first, root last. */
  readonly chain: readonly string[];
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Seed-only PKCS#8 PEM. */
  readonly privateKey: string;
  readonly key: MlDsaSigningKey;
}

export interface Scheduler {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers, unref'd so a holder never keeps a process alive on its own. */
export const realScheduler: Scheduler = {
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms) as unknown as { unref?: () => void };
    t.unref?.();
    return t;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export interface RotatingCertificateEvents {
  renewed: {
    readonly serialNumber: string;
    readonly notAfter: Date;
    readonly previousSerialNumber: string | undefined;
  };
  'renewal-failed': { readonly error: unknown; readonly attempt: number; readonly retryInMs: number };
  expiring: { readonly serialNumber: string; readonly notAfter: Date; readonly remainingMs: number };
}
export type RotatingCertificateEvent = keyof RotatingCertificateEvents;

export interface RotatingCertificateConfig {
  readonly issue: () => Promise<CertificateBundle>;
  /** Renew when less than this remains (ms). */
  readonly renewBeforeMs: number;
  /** Periodic check interval (ms). */
  readonly checkIntervalMs: number;
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
  readonly now: () => Date;
  readonly scheduler: Scheduler;
  /** Defaults for tlsOptions(). */
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
}

export interface TlsOptions {
  /** Seed-only PKCS#8 PEM (Node >= 24.7 with OpenSSL 3.5 loads ML-DSA keys natively). */
  readonly key: string;
  /** Leaf followed by intermediates (PEM). */
  readonly cert: string;
  /** Trust anchor (root PEM) used to verify peers. */
  readonly ca: string;
  readonly requestCert: boolean;
  readonly rejectUnauthorized: boolean;
  readonly minVersion: 'TLSv1.3';
}

type Listener<E extends RotatingCertificateEvent> = (event: RotatingCertificateEvents[E]) => void;

export class RotatingCertificate {
  readonly #cfg: RotatingCertificateConfig;
  #current: CertificateBundle | undefined;
  #inflight: Promise<CertificateBundle> | undefined;
  #timer: unknown;
  #failures = 0;
  #stopped = false;
  readonly #listeners: { [E in RotatingCertificateEvent]: Set<Listener<E>> } = {
    renewed: new Set(),
    'renewal-failed': new Set(),
    expiring: new Set(),
  };

  constructor(config: RotatingCertificateConfig) {
    this.#cfg = config;
  }

  on<E extends RotatingCertificateEvent>(event: E, listener: Listener<E>): () => void {
    this.#listeners[event].add(listener);
    return () => this.off(event, listener);
  }

  off<E extends RotatingCertificateEvent>(event: E, listener: Listener<E>): void {
    this.#listeners[event].delete(listener);
  }

  #emit<E extends RotatingCertificateEvent>(event: E, payload: RotatingCertificateEvents[E]): void {
    for (const l of this.#listeners[event]) {
      try {
        l(payload);
      } catch {
        // A throwing listener must not stop rotation.
      }
    }
  }

  /** First issuance; rejects (typed error) instead of starting a holder with no certificate. */
  async start(): Promise<this> {
    this.#stopped = false;
    await this.renew();
    return this;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#cfg.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get current(): CertificateBundle {
    if (!this.#current) throw new NotFoundError('no current certificate: call start() first');
    return this.#current;
  }

  get started(): boolean {
    return this.#current !== undefined;
  }

  /** Remaining lifetime below `thresholdMs` (default: the renewal threshold). */
  isExpiringSoon(thresholdMs: number = this.#cfg.renewBeforeMs): boolean {
    return this.#remaining() < thresholdMs;
  }

  #remaining(): number {
    return this.#current ? this.#current.notAfter.getTime() - this.#cfg.now().getTime() : 0;
  }

  /** Renews now. Concurrent calls (timer, callers) share one in-flight request. */
  renew(): Promise<CertificateBundle> {
    this.#inflight ??= this.#doRenew().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #doRenew(): Promise<CertificateBundle> {
    let bundle: CertificateBundle;
    try {
      bundle = await this.#cfg.issue();
    } catch (error) {
      this.#failures++;
      const retryInMs = Math.min(this.#cfg.backoffInitialMs * 2 ** (this.#failures - 1), this.#cfg.backoffMaxMs);
      // On the very first issuance there is nothing to keep serving: start() rejects, no retry loop.
      if (this.#current) {
        this.#emit('renewal-failed', { error, attempt: this.#failures, retryInMs });
        if (this.#inRenewalWindow()) {
          this.#emit('expiring', {
            serialNumber: this.#current.serialNumber,
            notAfter: this.#current.notAfter,
            remainingMs: this.#remaining(),
          });
        }
        this.#schedule(retryInMs);
      } else {
        this.#failures = 0;
      }
      throw error;
    }
    const previous = this.#current;
    this.#current = bundle;
    this.#failures = 0;
    this.#emit('renewed', {
      serialNumber: bundle.serialNumber,
      notAfter: bundle.notAfter,
      previousSerialNumber: previous?.serialNumber,
    });
    this.#schedule(this.#nextCheckDelay());
    return bundle;
  }

  /**
   * The renewal threshold for the current certificate. A certificate shorter-lived than the
   * configured threshold renews after two thirds of its life instead of immediately and forever.
   */
  #renewBefore(): number {
    const c = this.#current;
    if (!c) return this.#cfg.renewBeforeMs;
    return Math.min(this.#cfg.renewBeforeMs, (c.notAfter.getTime() - c.notBefore.getTime()) / 3);
  }

  #inRenewalWindow(): boolean {
    return this.#remaining() <= this.#renewBefore();
  }

  /** Next periodic check, but never later than the moment the renewal window opens. */
  #nextCheckDelay(): number {
    const untilWindow = this.#remaining() - this.#renewBefore();
    return Math.max(0, Math.min(this.#cfg.checkIntervalMs, untilWindow));
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer !== undefined) this.#cfg.scheduler.clearTimeout(this.#timer);
    this.#timer = this.#cfg.scheduler.setTimeout(() => {
      this.#timer = undefined;
      this.#check();
    }, ms);
  }

  #check(): void {
    if (this.#stopped) return;
    if (this.#inRenewalWindow()) {
      // Failures are reported through events and rescheduled with backoff inside #doRenew.
      this.renew().catch(() => undefined);
    } else {
      this.#schedule(this.#nextCheckDelay());
    }
  }

  /** Options for node:tls / node:https servers and clients: mutual TLS 1.3 by default. */
  tlsOptions(): TlsOptions {
    const c = this.current;
    const intermediates = c.chain.slice(0, -1);
    return {
      key: c.privateKey,
      cert: [c.certificate, ...intermediates].join(''),
      ca: c.chain[c.chain.length - 1] ?? '',
      requestCert: this.#cfg.requestCert,
      rejectUnauthorized: this.#cfg.rejectUnauthorized,
      minVersion: 'TLSv1.3',
    };
  }

  /** Signs an evidence manifest with the current certificate's key. */
  signManifest(manifest: JsonValue): SignedManifest {
    const c = this.current;
    return signManifest(manifest, { key: c.key, certificate: c.certificate, intermediates: c.chain.slice(0, -1) });
  }

  /** Keeps the key out of logs, JSON and util.inspect. */
  toJSON(): { serialNumber: string | undefined; notAfter: string | undefined } {
    return { serialNumber: this.#current?.serialNumber, notAfter: this.#current?.notAfter.toISOString() };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RotatingCertificate { serialNumber: ${this.#current?.serialNumber ?? 'none'} }`;
  }
}
