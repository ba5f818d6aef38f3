/**
 * Browser verification example. Run with `pnpm start` (from this directory) and open the printed URL.
 * `pnpm check` does the same in headless Chromium (/usr/bin/chromium, via playwright-core) and exits.
 *
 * The server side uses the embedded engine's local issuer to sign ML-DSA-65 JWTs and publishes its
 * JWKS; the page imports `@quantumapi/sdk/verify`, bundled here with esbuild, and verifies them.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { QuantumApiClient } from '@quantumapi/sdk';
import { build } from 'esbuild';

const publicDir = new URL('../public/', import.meta.url);
const AUDIENCE = 'browser-verify-example';

// 1. The issuer: an in-memory local engine (use the file store + QAPI_MASTER_KEY in a real service).
const qapi = new QuantumApiClient({ local: { store: 'memory' } });
const issuer = await qapi.identity.issuer();
const jwks = await qapi.identity.jwks();
const good = await qapi.identity.issueToken(
  { sub: 'alice', scope: 'orders:read' },
  { expiresIn: '10m', audience: AUDIENCE },
);

// A tampered copy: same header and signature, payload edited to claim more.
const [h, p, s] = good.token.split('.') as [string, string, string];
const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'orders:admin' })).toString('base64url')}.${s}`;

// 2. The browser bundle of @quantumapi/sdk/verify, the way an app's bundler would build it.
const bundled = await build({
  stdin: { contents: "export * from '@quantumapi/sdk/verify';", resolveDir: process.cwd(), loader: 'js' },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  write: false,
  // The package is `"sideEffects": false`, so esbuild warns that it drops its bare chunk imports: expected.
  logLevel: 'error',
});
const verifyJs = bundled.outputFiles[0]?.text ?? '';
console.log(`@quantumapi/sdk/verify bundle: ${(gzipSync(verifyJs, { level: 9 }).length / 1024).toFixed(2)} kB gzip -9`);

// 3. Serve the page, the bundle, the JWKS and the tokens.
const files: Record<string, [string, () => Promise<string> | string]> = {
  '/': ['text/html', () => readFile(new URL('index.html', publicDir), 'utf8')],
  '/app.js': ['text/javascript', () => readFile(new URL('app.js', publicDir), 'utf8')],
  '/verify.js': ['text/javascript', () => verifyJs],
  '/.well-known/jwks.json': ['application/json', () => JSON.stringify(jwks)],
  '/config.json': [
    'application/json',
    () =>
      JSON.stringify({
        issuer,
        audience: AUDIENCE,
        tokens: { 'issued token': good.token, 'tampered token': tampered },
      }),
  ],
};
const server = createServer(async (req, res) => {
  const entry = files[new URL(req.url ?? '/', 'http://x').pathname];
  if (!entry) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': `${entry[0]}; charset=utf-8`, 'cache-control': 'no-store' });
  res.end(await entry[1]());
});
const port = Number(process.env.PORT ?? 0);
await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

if (process.argv.includes('--check')) {
  // Headless run: load the page in Chromium and print what it concluded.
  const { chromium } = await import('playwright-core');
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const profile = await mkdtemp(join(tmpdir(), 'qapi-example-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  let exitCode = 1;
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    await page.goto(url);
    const results = (
      await page.waitForFunction(() => (window as unknown as { verifyResults?: unknown }).verifyResults)
    ).jsonValue() as Promise<{ label: string; ok: boolean; detail: string }[]>;
    const list = await results;
    for (const r of list) console.log(`${r.ok ? 'valid   ' : 'rejected'}  ${r.label}  (${r.detail})`);
    exitCode = list[0]?.ok === true && list[1]?.ok === false && list[1]?.detail === 'TOKEN_SIGNATURE_INVALID' ? 0 : 1;
  } finally {
    await browser.close();
    await rm(profile, { recursive: true, force: true });
    server.close();
    await qapi.close();
  }
  process.exit(exitCode);
} else {
  console.log(`open ${url}  (Ctrl+C to stop)`);
}
