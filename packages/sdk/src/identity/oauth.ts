/**
 * OAuth 2.0 client side: the client-credentials grant (RFC 6749 §4.4) with a token cache and
 * single-flight refresh, and token introspection (RFC 7662), which fails closed.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64, toHex, utf8 } from '../crypto/bytes.js';
import { QuantumApiError } from '../errors.js';
import { TokenRequestFailedError } from './errors.js';
import { checkUrl, type HttpOptions, requestJson } from './fetch.js';

export interface ClientAuth {
  readonly clientId: string;
  readonly clientSecret: string;
  /** `client_secret_basic` (default, RFC 6749 §2.3.1) or `client_secret_post`. */
  readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface AccessToken {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresAt: Date;
  readonly scope: string | undefined;
}

export interface IntrospectionResult {
  readonly active: boolean;
  readonly scope?: string;
  readonly client_id?: string;
  readonly sub?: string;
  readonly exp?: number;
  readonly [member: string]: unknown;
}

/** What went wrong when introspection yields inactive because of a failure (codes, never bodies). */
export interface InactiveResult extends IntrospectionResult {
  readonly active: false;
  readonly failure?: string;
}

// RFC 6749 Appendix B: form-urlencode the credentials before Basic encoding.
const formEncode = (s: string): string => encodeURIComponent(s).replace(/%20/g, '+');

const authorize = (auth: ClientAuth, form: URLSearchParams): Record<string, string> => {
  if (auth.authMethod === 'client_secret_post') {
    form.set('client_id', auth.clientId);
    form.set('client_secret', auth.clientSecret);
    return {};
  }
  return { authorization: `Basic ${toBase64(utf8(`${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`))}` };
};

const postForm = (url: string, form: URLSearchParams, auth: ClientAuth, http: HttpOptions, retries: number) =>
  requestJson(
    url,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        ...authorize(auth, form),
      },
      body: form.toString(),
    },
    { retries, ...http },
  );

export interface TokenRequest extends ClientAuth {
  readonly tokenEndpoint: string;
  readonly scope?: string;
  readonly audience?: string;
}

export const requestClientCredentials = async (
  req: TokenRequest,
  http: HttpOptions,
  now: number,
): Promise<AccessToken> => {
  checkUrl(req.tokenEndpoint, 'token endpoint');
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (req.scope) form.set('scope', req.scope);
  if (req.audience) form.set('audience', req.audience);
  let res: Awaited<ReturnType<typeof requestJson>>;
  try {
    // The grant has no side effects, so it is safe to retry.
    res = await postForm(req.tokenEndpoint, form, req, http, 2);
  } catch (cause) {
    throw new TokenRequestFailedError('token request failed', {
      cause,
      details: { code: cause instanceof QuantumApiError ? cause.code : 'UNKNOWN' },
    });
  }
  const b = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as Record<string, unknown>;
  if (!res.ok) {
    // Only the OAuth error code: descriptions are server text and could echo what we sent.
    throw new TokenRequestFailedError(`token endpoint answered ${res.status}`, {
      details: { status: res.status, ...(typeof b['error'] === 'string' ? { error: b['error'].slice(0, 64) } : {}) },
    });
  }
  const token = b['access_token'];
  const type = b['token_type'];
  const expiresIn = b['expires_in'];
  if (typeof token !== 'string' || token.length === 0 || typeof type !== 'string') {
    throw new TokenRequestFailedError('token response lacks access_token / token_type');
  }
  if (expiresIn !== undefined && !(typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0)) {
    throw new TokenRequestFailedError('token response has an invalid expires_in');
  }
  return {
    accessToken: token,
    tokenType: type,
    // Without expires_in, assume a short life rather than forever.
    expiresAt: new Date(now + (typeof expiresIn === 'number' ? expiresIn : 300) * 1000),
    scope: typeof b['scope'] === 'string' ? b['scope'] : req.scope,
  };
};

/**
 * Caches tokens per (endpoint, client, secret, scope, audience) until `skewMs` before expiry
 * (never more than half the token's life), with one request in flight per key.
 */
export class ClientCredentialsCache {
  readonly #tokens = new Map<string, { token: AccessToken; refreshAt: number }>();
  readonly #inflight = new Map<string, Promise<AccessToken>>();
  constructor(
    private readonly http: HttpOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get(req: TokenRequest, skewMs = 60_000): Promise<AccessToken> {
    const key = [
      req.tokenEndpoint,
      req.clientId,
      // A changed secret must not be served a token fetched with the old one; hashed, not kept.
      toHex(sha256(utf8(req.clientSecret))),
      req.scope ?? '',
      req.audience ?? '',
      req.authMethod ?? '',
    ].join('\u0000');
    const hit = this.#tokens.get(key);
    if (hit && this.now() < hit.refreshAt) return Promise.resolve(hit.token);
    let p = this.#inflight.get(key);
    if (!p) {
      const started = this.now();
      p = requestClientCredentials(req, this.http, started)
        .then((token) => {
          const expiresAt = token.expiresAt.getTime();
          // Refresh `skewMs` early, but never later than half-way through a short-lived token.
          this.#tokens.set(key, { token, refreshAt: expiresAt - Math.min(skewMs, (expiresAt - started) / 2) });
          return token;
        })
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, p);
    }
    return p;
  }

  clear(): void {
    this.#tokens.clear();
  }
}

export interface IntrospectRequest extends ClientAuth {
  readonly introspectionEndpoint: string;
  readonly tokenTypeHint?: string;
}

/** RFC 7662. Every failure (transport, status, body shape) is `{ active: false }`: fail closed. */
export const introspectToken = async (
  token: string,
  req: IntrospectRequest,
  http: HttpOptions,
): Promise<IntrospectionResult> => {
  try {
    checkUrl(req.introspectionEndpoint, 'introspection endpoint');
    const form = new URLSearchParams({ token });
    if (req.tokenTypeHint) form.set('token_type_hint', req.tokenTypeHint);
    const res = await postForm(req.introspectionEndpoint, form, req, http, 1);
    if (!res.ok) return { active: false, failure: `HTTP_${res.status}` } satisfies InactiveResult;
    const b = res.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) return { active: false, failure: 'INVALID_RESPONSE' };
    const r = b as Record<string, unknown>;
    // Only a literal `true` is active; "true", 1 and missing are not.
    if (r['active'] !== true) return { active: false };
    return { ...r, active: true };
  } catch (e) {
    return { active: false, failure: e instanceof QuantumApiError ? e.code : 'UNKNOWN' } satisfies InactiveResult;
  }
};
