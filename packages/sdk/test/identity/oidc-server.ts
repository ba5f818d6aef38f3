/**
 * A real OIDC provider stand-in: node:http on 127.0.0.1 (random port) serving discovery, JWKS,
 * a client-credentials token endpoint and RFC 7662 introspection. Behaviour is switched through
 * `state` so tests can cause outages, rotations and bad answers; `hits` counts requests per path.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderState {
  jwks: { keys: unknown[] };
  jwksStatus: number;
  discoveryOverride: Record<string, unknown> | undefined;
  clients: Record<string, string>;
  tokenExpiresIn: number;
  tokenDelayMs: number;
  tokenStatus: number | undefined;
  /** token -> introspection response body */
  activeTokens: Record<string, Record<string, unknown>>;
  introspectStatus: number;
  introspectRawBody: string | undefined;
}

export interface Provider {
  readonly issuer: string;
  readonly state: ProviderState;
  readonly hits: Record<string, number>;
  /** Bodies received by POST endpoints, for asserting what the client sent. */
  readonly forms: URLSearchParams[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      s += c;
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });

const clientOf = (req: IncomingMessage, form: URLSearchParams): [string, string] | undefined => {
  const h = req.headers.authorization;
  if (h?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':') as [string, string];
    return [decodeURIComponent(id.replace(/\+/g, ' ')), decodeURIComponent((secret ?? '').replace(/\+/g, ' '))];
  }
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id && secret ? [id, secret] : undefined;
};

export const startProvider = async (initial: Partial<ProviderState> = {}): Promise<Provider> => {
  const state: ProviderState = {
    jwks: { keys: [] },
    jwksStatus: 200,
    discoveryOverride: undefined,
    clients: { 'svc-a': 'secret-a' },
    tokenExpiresIn: 3600,
    tokenDelayMs: 0,
    tokenStatus: undefined,
    activeTokens: {},
    introspectStatus: 200,
    introspectRawBody: undefined,
    ...initial,
  };
  const hits: Record<string, number> = {};
  const forms: URLSearchParams[] = [];
  let issued = 0;
  let issuer = '';

  const server: Server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        token_endpoint: `${issuer}/token`,
        introspection_endpoint: `${issuer}/introspect`,
        ...state.discoveryOverride,
      });
    }
    if (req.method === 'GET' && path === '/jwks') {
      return state.jwksStatus === 200 ? json(200, state.jwks) : json(state.jwksStatus, { error: 'unavailable' });
    }
    if (req.method === 'POST' && (path === '/token' || path === '/introspect')) {
      const form = new URLSearchParams(await readBody(req));
      forms.push(form);
      const client = clientOf(req, form);
      if (!client || state.clients[client[0]] !== client[1]) return json(401, { error: 'invalid_client' });
      if (path === '/token') {
        if (form.get('grant_type') !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
        if (state.tokenDelayMs) await new Promise((r) => setTimeout(r, state.tokenDelayMs));
        if (state.tokenStatus) return json(state.tokenStatus, { error: 'server_error' });
        issued++;
        return json(200, {
          access_token: `at-${issued}`,
          token_type: 'Bearer',
          expires_in: state.tokenExpiresIn,
          ...(form.get('scope') ? { scope: form.get('scope') } : {}),
        });
      }
      if (state.introspectStatus !== 200) return json(state.introspectStatus, { error: 'server_error' });
      if (state.introspectRawBody !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(state.introspectRawBody);
      }
      return json(200, state.activeTokens[form.get('token') ?? ''] ?? { active: false });
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    state,
    hits,
    forms,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
