/**
 * The gate in front of every endpoint that needs no credentials (OIDC discovery and JWKS, the public
 * CA chain and CRL): one token bucket per client address, taken before anything reads the store, so
 * arbitrary requests cost at most the limiter's rate in store reads. All those endpoints share the
 * same limiter: a client's anonymous budget is one, whichever of them it calls.
 */
import type { Context } from 'hono';
import type { AppEnv } from './app.js';
import { type ClientAddress, socketAddress } from './client-address.js';
import { rateLimitedResponse } from './http-errors.js';
import type { Logger } from './log.js';
import { addressBucket, type RateLimiter } from './rate-limit.js';

/** `undefined` when the request may go on, else the 429 (standard error body, `Retry-After`) to send. */
export type AnonymousGate = (c: Context<AppEnv>) => Response | undefined;

export const anonymousGate =
  (limiter: RateLimiter, logger: Logger, clientAddress: ClientAddress = socketAddress): AnonymousGate =>
  (c) => {
    const decision = limiter.take(addressBucket(clientAddress(c)));
    if (decision.ok) return undefined;
    c.header('cache-control', 'no-store');
    // The address is not logged: it is personal data, and the bucket says enough.
    return rateLimitedResponse(c, logger, decision.retryAfterSeconds, { route: c.req.routePath });
  };
