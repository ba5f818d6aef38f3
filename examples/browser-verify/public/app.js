// Runs in the browser. `/verify.js` is the esbuild bundle of `@quantumapi/sdk/verify`
// (ML-DSA verify + SHA-3 + JOSE checks, no Node modules).
import { verifyJwt } from '/verify.js';

const config = await (await fetch('/config.json')).json();
// One cached JWKS for the page: refetched only for an unknown kid (with a cooldown).
const key = { jwksUri: new URL('/.well-known/jwks.json', location.href).href };

const results = [];
for (const [label, token] of Object.entries(config.tokens)) {
  try {
    const { payload, protectedHeader } = await verifyJwt(token, key, {
      issuer: config.issuer,
      audience: config.audience,
    });
    results.push({
      label,
      ok: true,
      detail: `${protectedHeader.alg}, sub=${payload.sub}, expires ${new Date(payload.exp * 1000).toISOString()}`,
    });
  } catch (e) {
    results.push({ label, ok: false, detail: e.code ?? String(e) });
  }
}

const ul = document.getElementById('results');
ul.replaceChildren(
  ...results.map((r) => {
    const li = document.createElement('li');
    li.className = r.ok ? 'ok' : 'bad';
    li.textContent = `${r.label}: ${r.ok ? 'valid' : 'rejected'} (${r.detail})`;
    return li;
  }),
);
window.verifyResults = results;
