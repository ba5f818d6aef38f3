/**
 * A network fault injector in front of a real server (like toxiproxy): it forwards requests
 * unchanged unless a fault is queued. It imitates nothing of ours; it breaks the network between
 * the client and the real server.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** Answer with this status (and Retry-After, if given) without forwarding. */
  | { readonly kind: 'status'; readonly status: number; readonly retryAfter?: string; readonly body?: string }
  /** Forward, but hold the response back this long. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Forward; send the real headers, then half the body, then stall. */
  | { readonly kind: 'stall-body' }
  /** Forward; replace the body with truncated JSON (headers, incl. X-Request-Id, kept). */
  | { readonly kind: 'malformed' }
  /** Forward; replace the body with this JSON. */
  | { readonly kind: 'replace'; readonly body: unknown }
  /** Forward; rename every JSON property to PascalCase (QuantumAPI style). */
  | { readonly kind: 'pascal' }
  /** Drop the connection without answering. */
  | { readonly kind: 'reset' };

export interface FaultProxy {
  readonly baseUrl: string;
  /** Faults for the next requests, one each, in order. */
  queue(...faults: Fault[]): void;
  /** A fault applied to every request while set. */
  always(fault: Fault | undefined): void;
  readonly seen: { method: string; path: string }[];
  close(): Promise<void>;
}

const pascal = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(pascal);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toUpperCase() + k.slice(1), pascal(x)]));
  }
  return v;
};

export const startFaultProxy = async (target: URL): Promise<FaultProxy> => {
  const queued: Fault[] = [];
  let standing: Fault | undefined;
  const seen: { method: string; path: string }[] = [];
  const open = new Set<ServerResponse>();

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: target.host };
      const r = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const h: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h[k] = v;
            resolve({ status: res.statusCode ?? 502, headers: h, body: Buffer.concat(chunks) });
          });
        },
      );
      r.on('error', reject);
      r.end(body);
    });

  const server: Server = createServer((req, res) => {
    open.add(res);
    res.on('close', () => open.delete(res));
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      seen.push({ method: req.method ?? '', path: req.url ?? '' });
      const fault = queued.shift() ?? standing;
      try {
        if (fault?.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'status') {
          res.writeHead(fault.status, {
            'content-type': 'application/json',
            ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
          });
          res.end(
            fault.body ??
              JSON.stringify({ code: fault.status === 429 ? 'RATE_LIMITED' : 'SERVER_ERROR', message: 'injected' }),
          );
          return;
        }
        const up = await forward(req, Buffer.concat(chunks));
        delete up.headers['content-length'];
        delete up.headers['transfer-encoding'];
        if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
        if (res.destroyed) return;
        let body = up.body;
        if (fault?.kind === 'malformed') body = body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
        if (fault?.kind === 'replace') body = Buffer.from(JSON.stringify(fault.body));
        if (fault?.kind === 'pascal') body = Buffer.from(JSON.stringify(pascal(JSON.parse(body.toString('utf8')))));
        if (fault?.kind === 'stall-body') {
          res.writeHead(up.status, { ...up.headers, 'content-length': String(body.length) });
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          return; // never ends
        }
        res.writeHead(up.status, { ...up.headers, 'content-length': String(body.length) });
        res.end(body);
      } catch {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${target.pathname.replace(/\/$/, '')}`,
    queue: (...f) => queued.push(...f),
    always: (f) => {
      standing = f;
    },
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
