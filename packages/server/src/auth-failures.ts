/**
 * Failed authentications, counted per client address. Every API request and OAuth client request
 * costs a store lookup of the key it presents, and anyone can present one: a client that keeps
 * failing is refused (429 + Retry-After) before its next key is looked up, until its bucket
 * refills. Requests that authenticate are never charged, so only a source of bad keys (or a
 * client misconfigured with a revoked one) is slowed down, together with whoever shares its
 * address.
 */
import type { Context } from 'hono';
import type { AppEnv } from './app.js';
import { type ClientAddress, socketAddress } from './client-address.js';
import { addressBucket, type RateLimiter } from './rate-limit.js';

export class AuthFailureGuard {
  readonly #limiter: RateLimiter;
  readonly #address: ClientAddress;

  constructor(limiter: RateLimiter, clientAddress: ClientAddress = socketAddress) {
    this.#limiter = limiter;
    this.#address = clientAddress;
  }

  /** Seconds this client must wait before presenting another key, or undefined when it may. */
  blocked(c: Context<AppEnv>): number | undefined {
    const d = this.#limiter.peek(addressBucket(this.#address(c)));
    return d.ok ? undefined : d.retryAfterSeconds;
  }

  /** Records a failed authentication from this client. */
  failed(c: Context<AppEnv>): void {
    this.#limiter.take(addressBucket(this.#address(c)));
  }
}
