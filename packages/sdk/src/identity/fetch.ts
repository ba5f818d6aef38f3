/**
 * The one way identity talks to the network: global `fetch` with a timeout, bounded retries with
 * backoff + jitter for operations safe to repeat, `Retry-After` honoured, JSON bodies size-capped.
 * No Node imports: the browser verifier uses it too.
 */
import { InvalidResponseError, NetworkError, QuantumApiError, TimeoutError } from '../errors.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  readonly fetch?: FetchLike;
  /** Per attempt. */
  readonly timeoutMs?: number;
  /** Extra attempts after the first, for network errors, timeouts, 429 and 5xx. */
  readonly retries?: number;
}

export interface JsonResponse {
  readonly status: number;
  readonly ok: boolean;
  /** Parsed JSON, or undefined when the body was empty or not JSON. */
  readonly body: unknown;
  readonly headers: Headers;
}

export const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_BODY_CHARS = 1_000_000;
const MAX_RETRY_AFTER_MS = 5_000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const retryAfterMs = (h: string | null): number | undefined => {
  if (!h) return undefined;
  const secs = Number(h);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.min(Math.max(0, at - Date.now()), MAX_RETRY_AFTER_MS);
};

/** http(s) only; plain http only to loopback hosts (local issuers, tests). */
export const checkUrl = (url: string, what: string): URL => {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new InvalidResponseError(`${what} is not a valid URL`, { cause });
  }
  const loopback = u.hostname === 'localhost' || u.hostname === '127.0.0.1' || u.hostname === '[::1]';
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw new InvalidResponseError(`${what} must use https`, { details: { url: u.origin } });
  }
  return u;
};

const attempt = async (url: string, init: RequestInit, options: HttpOptions): Promise<JsonResponse> => {
  const f = options.fetch ?? globalThis.fetch;
  const ctrl = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  const where = { url: new URL(url).origin };
  try {
    let res: Response;
    try {
      res = await f(url, { ...init, signal: ctrl.signal, redirect: 'error' });
    } catch (cause) {
      if (ctrl.signal.aborted) throw new TimeoutError(`request timed out after ${timeoutMs} ms`, { details: where });
      throw new NetworkError('request failed', { cause, details: where });
    }
    let text: string;
    try {
      text = await res.text();
    } catch (cause) {
      if (ctrl.signal.aborted) throw new TimeoutError(`response timed out after ${timeoutMs} ms`, { details: where });
      throw new NetworkError('reading the response failed', { cause, details: where });
    }
    if (text.length > MAX_BODY_CHARS) throw new InvalidResponseError('response body too large', { details: where });
    let body: unknown;
    try {
      body = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, ok: res.ok, body, headers: res.headers };
  } finally {
    clearTimeout(timer);
  }
};

const retriable = (e: unknown): boolean =>
  e instanceof QuantumApiError && (e.code === 'NETWORK' || e.code === 'TIMEOUT');

/** Request JSON. Non-2xx statuses are returned, not thrown; transport failures throw typed errors. */
export const requestJson = async (url: string, init: RequestInit, options: HttpOptions = {}): Promise<JsonResponse> => {
  const retries = options.retries ?? 0;
  for (let n = 0; ; n++) {
    let wait: number | undefined;
    try {
      const res = await attempt(url, init, options);
      if (n >= retries || (res.status !== 429 && res.status < 500)) return res;
      wait = retryAfterMs(res.headers.get('retry-after'));
    } catch (e) {
      if (n >= retries || !retriable(e)) throw e;
    }
    // Exponential backoff with full jitter: 100 ms, 200 ms, ... capped.
    await sleep(wait ?? Math.random() * Math.min(2_000, 100 * 2 ** n));
  }
};

export const getJson = (url: string, options: HttpOptions = {}): Promise<JsonResponse> =>
  requestJson(url, { method: 'GET', headers: { accept: 'application/json' } }, options);
