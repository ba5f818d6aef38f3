/**
 * Serves the verify bundle, a page that imports it, and an issuer's JWKS from one 127.0.0.1 origin:
 * what a browser app sees. Shared by the Chromium test and examples/browser-verify.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  readonly origin: string;
  readonly hits: Record<string, number>;
  close(): Promise<void>;
}

export const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>@quantumapi/sdk/verify</title></head>
<body><pre id="out">loading</pre>
<script type="module">
  import * as verify from '/verify.js';
  window.qapiVerify = verify;
  document.getElementById('out').textContent = 'ready';
  window.qapiReady = true;
</script></body></html>`;

export const startPageServer = async (
  bundle: string,
  routes: Record<string, () => unknown> = {},
  html: string = PAGE_HTML,
): Promise<PageServer> => {
  const hits: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(html);
    }
    if (path === '/verify.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      return res.end(bundle);
    }
    const route = routes[path];
    if (route) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(route()));
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};
