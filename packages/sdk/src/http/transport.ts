/**
 * One http call: ky for the request and its timeout, our own retry loop around it (ky does not
 * retry after a timeout, and we decide per operation what is safe to repeat).
 *
 * Backoff: exponential with full jitter (delay = random(0, min(maxDelay, base * 2^attempt))),
 * replaced by the server's Retry-After when it sends one, capped at `maxRetryAfterMs`: a server
 * asking for longer than that gets a typed error now instead of a caller stuck waiting.
 */
import ky, { type KyInstance } from 'ky';
import type { z } from 'zod';
import { InvalidResponseError, NetworkError, QuantumApiError, TimeoutError } from '../errors.js';
import { errorFromResponse } from './errors.js';
import { type Route, routePath } from './routes.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly limit: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Longest Retry-After honoured; a longer one ends the call with RateLimitedError / ServerError. */
  readonly maxRetryAfterMs: number;
}

export interface TransportOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly authScheme: 'x-api-key' | 'bearer';
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  readonly fetch?: typeof fetch;
  readonly userAgent?: string;
  /** Injectable for tests of the backoff itself. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface CallOptions {
  readonly id?: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** The body holds a secret value: errors keep only the server's code (see HttpErrorContext). */
  readonly sensitive?: boolean;
}

const RETRY_STATUS = new Set([429, 502, 503, 504]);

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Retry-After is seconds or an HTTP date. */
export const parseRetryAfter = (value: string | null, now = Date.now()): number | undefined => {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
};

export class Transport {
  readonly #o: TransportOptions;
  readonly #ky: KyInstance;

  constructor(options: TransportOptions) {
    this.#o = options;
    const auth: Record<string, string> =
      options.authScheme === 'bearer' ? { authorization: `Bearer ${options.apiKey}` } : { 'x-api-key': options.apiKey };
    this.#ky = ky.create({
      retry: 0,
      throwHttpErrors: false,
      timeout: options.timeoutMs,
      headers: {
        accept: 'application/json',
        ...auth,
        ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
      },
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
  }

  #url(route: Route, call: CallOptions): string {
    const base = this.#o.baseUrl.replace(/\/+$/, '');
    const url = new URL(base + routePath(route, call.id));
    for (const [k, v] of Object.entries(call.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  #backoff(attempt: number): number {
    const { baseDelayMs, maxDelayMs } = this.#o.retry;
    const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
    return Math.floor((this.#o.random ?? Math.random)() * cap);
  }

  /** Sends the call, retrying where the route allows, and returns the validated response body. */
  async call<S extends z.ZodType>(
    operation: string,
    route: Route,
    schema: S,
    call: CallOptions = {},
  ): Promise<z.output<S>> {
    const url = this.#url(route, call);
    const sleep = this.#o.sleep ?? defaultSleep;
    // One id for every attempt of this call: the server logs it, and errors without a response
    // (network, timeout) still carry it for correlation.
    const callId = globalThis.crypto?.randomUUID?.();
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < this.#o.retry.limit;
      let response: Response;
      // Covers the body as well as the headers: a server that stalls mid-body cannot hang us.
      const deadline = AbortSignal.timeout(this.#o.timeoutMs);
      try {
        response = await this.#ky(url, {
          method: route.method,
          signal: deadline,
          ...(callId ? { headers: { 'x-request-id': callId } } : {}),
          ...(call.body !== undefined ? { json: call.body } : {}),
        });
      } catch (cause) {
        const err = this.#transportError(operation, cause, callId);
        if (canRetry && route.repeatSafe) {
          await sleep(this.#backoff(attempt));
          continue;
        }
        throw err;
      }
      const requestId = response.headers.get('x-request-id') ?? callId;
      if (response.ok) {
        try {
          return await this.#parse(operation, response, schema, requestId);
        } catch (e) {
          // The connection broke or stalled mid-body: same as failing before the response.
          if (canRetry && route.repeatSafe && (e instanceof NetworkError || e instanceof TimeoutError)) {
            await sleep(this.#backoff(attempt));
            continue;
          }
          throw e;
        }
      }

      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      // 429 means the server refused before doing anything: repeating is safe for every operation.
      const retryable = RETRY_STATUS.has(response.status) && (route.repeatSafe || response.status === 429);
      const tooLong = retryAfterMs !== undefined && retryAfterMs > this.#o.retry.maxRetryAfterMs;
      if (canRetry && retryable && !tooLong) {
        await response.body?.cancel().catch(() => undefined);
        await sleep(retryAfterMs ?? this.#backoff(attempt));
        continue;
      }
      const body = await response.json().catch(() => undefined);
      throw errorFromResponse({
        operation,
        status: response.status,
        body,
        headerRequestId: requestId,
        retryAfterSeconds: retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000),
        secrets: [this.#o.apiKey],
        ...(call.sensitive ? { sensitive: true } : {}),
      });
    }
  }

  async #parse<S extends z.ZodType>(operation: string, response: Response, schema: S, requestId: string | undefined) {
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      if (!(cause instanceof SyntaxError)) throw this.#transportError(operation, cause, requestId);
      throw new InvalidResponseError(`${operation}: the server sent a body that is not JSON`, {
        ...(requestId ? { requestId } : {}),
        details: { status: response.status },
      });
    }
    const r = schema.safeParse(body);
    if (!r.success) {
      // Paths only: the values may be key material or plaintexts.
      const where = r.error.issues
        .slice(0, 3)
        .map((i) => i.path.join('.') || '(root)')
        .join(', ');
      throw new InvalidResponseError(`${operation}: unexpected response shape at ${where}`, {
        ...(requestId ? { requestId } : {}),
        details: { status: response.status },
      });
    }
    return r.data as z.output<S>;
  }

  #transportError(operation: string, cause: unknown, requestId: string | undefined): QuantumApiError {
    if (cause instanceof QuantumApiError) return cause;
    const name = (cause as { name?: string } | null)?.name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new TimeoutError(`${operation} timed out after ${this.#o.timeoutMs} ms`, {
        details: { timeoutMs: this.#o.timeoutMs },
        ...(requestId ? { requestId } : {}),
      });
    }
    // fetch failures carry the URL and sometimes headers in `cause`; keep only the error kind.
    const code = (cause as { cause?: { code?: string } } | null)?.cause?.code;
    return new NetworkError(`${operation}: network error${code ? ` (${code})` : ''}`, {
      ...(code ? { details: { code } } : {}),
      ...(requestId ? { requestId } : {}),
    });
  }
}
