/**
 * Runs under Node 26 (spawned by native-pq.interop.test.ts): checks the node-native providers
 * against noble with the native ones really active. Prints one JSON line: a list of named checks.
 * Not a vitest file: it must run in the child runtime, where node:crypto has ML-KEM / ML-DSA.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KEM_ALGORITHMS, ML_DSA_ALGORITHMS } from '../../src/crypto/algorithms.js';
import { nobleAead, nobleKem, nobleSignature } from '../../src/crypto/noble-provider.js';
import { isQuantumApiError } from '../../src/errors.js';
import { createNativeSignature, type NativeCrypto, seedToPkcs8, spkiToPublicKey } from '../../src/runtime/native-pq.js';
import { defaultProviders, nativePq, nodeAead } from '../../src/runtime/node.js';
import nodeCrypto from 'node:crypto';

interface Check {
  group: string;
  name: string;
  ok: boolean;
  detail?: string;
}
const checks: Check[] = [];
const check = (group: string, name: string, ok: boolean, detail?: string) =>
  checks.push({ group, name, ok, ...(detail ? { detail } : {}) });

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const rnd = (n: number) => new Uint8Array(randomBytes(n));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const pem = (file: string) => {
  const text = readFileSync(resolve(import.meta.dirname, '../vectors', file), 'utf8');
  return new Uint8Array(Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64'));
};
/** The error a call throws, as its code (or 'none' / 'untyped'), for fail-closed checks. */
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
    return 'none';
  } catch (e) {
    return isQuantumApiError(e) ? e.code : 'untyped';
  }
};

const kem = defaultProviders.kem;
const sig = defaultProviders.signature;
const ROUNDS = 4;

// --- selection: the native providers, not noble, must be the ones in use here.
check('selection', 'kem provider is node-native', kem.name === 'node-native', kem.name);
check('selection', 'signature provider is node-native', sig.name === 'node-native', sig.name);
check('selection', 'aead provider is node', defaultProviders.aead.name === 'node', defaultProviders.aead.name);
check('selection', 'ML-DSA context handled natively', nativePq().nativeContext);
{
  // Not only the name: the keys really are OpenSSL key objects.
  const k = kem.keyPairFromSeed('ML-KEM-768', new Uint8Array(64)).privateKey;
  const d = sig.keyPairFromSeed('ML-DSA-65', new Uint8Array(32)).privateKey;
  const isKeyObject = (h: { inner: unknown }) =>
    (h.inner as { key?: unknown } | null)?.key instanceof nodeCrypto.KeyObject;
  check(
    'selection',
    'private keys are node-native KeyObjects',
    k.provider === 'node-native' && d.provider === 'node-native' && isKeyObject(k) && isKeyObject(d),
  );
}

// --- key formats against the RFC 9935 / RFC 9881 example files.
{
  const kemDer = pem('rfc9935-ML-KEM-768-seed.priv');
  const kemSeed = kemDer.slice(kemDer.length - 64);
  check(
    'formats',
    'seed-only PKCS#8 for ML-KEM-768 equals RFC 9935 example',
    eq(seedToPkcs8('ML-KEM-768', kemSeed), kemDer),
  );
  const kemPub = spkiToPublicKey('ML-KEM-768', pem('rfc9935-ML-KEM-768.pub'));
  check(
    'formats',
    'native ML-KEM-768 public key from RFC seed equals RFC SPKI',
    eq(kem.keyPairFromSeed('ML-KEM-768', kemSeed).publicKey, kemPub),
  );
  const exported = nodeCrypto
    .createPrivateKey({ key: Buffer.from(kemDer), format: 'der', type: 'pkcs8' })
    .export({ format: 'der', type: 'pkcs8' });
  check('formats', 'OpenSSL re-exports the ML-KEM seed form unchanged', eq(new Uint8Array(exported), kemDer));

  const dsaDer = pem('rfc9881-ML-DSA-65-seed.priv');
  const dsaSeed = dsaDer.slice(dsaDer.length - 32);
  check(
    'formats',
    'seed-only PKCS#8 for ML-DSA-65 equals RFC 9881 example',
    eq(seedToPkcs8('ML-DSA-65', dsaSeed), dsaDer),
  );
  const dsaPub = spkiToPublicKey('ML-DSA-65', pem('rfc9881-ML-DSA-65.pub'));
  check(
    'formats',
    'native ML-DSA-65 public key from RFC seed equals RFC SPKI',
    eq(sig.keyPairFromSeed('ML-DSA-65', dsaSeed).publicKey, dsaPub),
  );
}

// --- ML-KEM: same keys, cross encaps/decaps, implicit rejection, fail-closed inputs.
for (const alg of KEM_ALGORITHMS) {
  let keys = true;
  let nativeToNoble = true;
  let nobleToNative = true;
  let rejection = true;
  for (let i = 0; i < ROUNDS; i++) {
    const seed = rnd(64);
    const n = kem.keyPairFromSeed(alg, seed);
    const r = nobleKem.keyPairFromSeed(alg, seed);
    keys &&= eq(n.publicKey, r.publicKey);
    const a = kem.encapsulate(alg, r.publicKey);
    nativeToNoble &&= eq(nobleKem.decapsulate(alg, r.privateKey, a.encapsulatedKey), a.sharedSecret);
    const b = nobleKem.encapsulate(alg, n.publicKey);
    nobleToNative &&= eq(kem.decapsulate(alg, n.privateKey, b.encapsulatedKey), b.sharedSecret);
    // A tampered ciphertext yields FIPS 203's implicit-rejection secret; both must derive the same one.
    const bad = b.encapsulatedKey.slice();
    bad[i % bad.length] = (bad[i % bad.length] ?? 0) ^ 1;
    const nativeReject = kem.decapsulate(alg, n.privateKey, bad);
    rejection &&= eq(nativeReject, nobleKem.decapsulate(alg, r.privateKey, bad)) && !eq(nativeReject, b.sharedSecret);
  }
  check('kem', `${alg} same public key from the same seed`, keys);
  check('kem', `${alg} native encaps -> noble decaps`, nativeToNoble);
  check('kem', `${alg} noble encaps -> native decaps`, nobleToNative);
  check('kem', `${alg} tampered ciphertext: same implicit-rejection secret`, rejection);

  const seed = rnd(64);
  const { publicKey, privateKey } = kem.keyPairFromSeed(alg, seed);
  const short = codeOf(() => kem.decapsulate(alg, privateKey, new Uint8Array(10)));
  check('kem', `${alg} wrong-length ciphertext -> INVALID_CIPHERTEXT`, short === 'INVALID_CIPHERTEXT', short);
  const shortPk = codeOf(() => kem.encapsulate(alg, publicKey.subarray(1)));
  check('kem', `${alg} wrong-length public key -> INVALID_KEY`, shortPk === 'INVALID_KEY', shortPk);
  // FIPS 203 §7.2 modulus check: a coefficient 0xfff >= q must be refused by both.
  const unreduced = publicKey.slice();
  unreduced[0] = 0xff;
  unreduced[1] = (unreduced[1] ?? 0) | 0x0f;
  const nativeMod = codeOf(() => kem.encapsulate(alg, unreduced));
  const nobleMod = codeOf(() => nobleKem.encapsulate(alg, unreduced));
  check(
    'kem',
    `${alg} non-reduced public key refused by both`,
    nativeMod === 'INVALID_KEY' && nobleMod === 'INVALID_KEY',
    `${nativeMod}/${nobleMod}`,
  );
  const seedCode = codeOf(() => kem.keyPairFromSeed(alg, seed.subarray(1)));
  check('kem', `${alg} 63-byte seed -> INVALID_KEY`, seedCode === 'INVALID_KEY', seedCode);
  const foreign = codeOf(() =>
    kem.decapsulate(alg, nobleKem.keyPairFromSeed(alg, seed).privateKey, new Uint8Array(10)),
  );
  check('kem', `${alg} noble handle refused by native provider`, foreign === 'INVALID_KEY', foreign);
}

// --- ML-DSA: same keys, cross sign/verify with and without context, tamper, context separation.
const signatureChecks = (label: string, native: typeof sig) => {
  for (const alg of ML_DSA_ALGORITHMS) {
    const results = { keys: true, nn: true, rn: true, nnCtx: true, rnCtx: true, sep: true, tamper: true };
    for (let i = 0; i < ROUNDS; i++) {
      const seed = rnd(32);
      const n = native.keyPairFromSeed(alg, seed);
      const r = nobleSignature.keyPairFromSeed(alg, seed);
      results.keys &&= eq(n.publicKey, r.publicKey);
      const msg = rnd(1 + i * 50);
      const ctx = rnd(1 + i * 60);
      const s1 = native.sign(alg, n.privateKey, msg);
      results.nn &&= nobleSignature.verify(alg, r.publicKey, msg, s1);
      const s2 = nobleSignature.sign(alg, r.privateKey, msg);
      results.rn &&= native.verify(alg, n.publicKey, msg, s2);
      const s3 = native.sign(alg, n.privateKey, msg, ctx);
      results.nnCtx &&= nobleSignature.verify(alg, r.publicKey, msg, s3, ctx);
      const s4 = nobleSignature.sign(alg, r.privateKey, msg, ctx);
      results.rnCtx &&= native.verify(alg, n.publicKey, msg, s4, ctx);
      // A context is part of what is signed: dropping it or changing it must fail, both ways.
      results.sep &&=
        !native.verify(alg, n.publicKey, msg, s4) &&
        !native.verify(alg, n.publicKey, msg, s2, ctx) &&
        !nobleSignature.verify(alg, r.publicKey, msg, s3) &&
        !native.verify(alg, n.publicKey, msg, s3, rnd(ctx.length));
      const bad = s1.slice();
      bad[i * 7] = (bad[i * 7] ?? 0) ^ 0x80;
      results.tamper &&=
        !native.verify(alg, n.publicKey, msg, bad) && !native.verify(alg, n.publicKey, msg, s1.subarray(1));
    }
    check(label, `${alg} same public key from the same seed`, results.keys);
    check(label, `${alg} native sign -> noble verify`, results.nn);
    check(label, `${alg} noble sign -> native verify`, results.rn);
    check(label, `${alg} native sign -> noble verify, with context`, results.nnCtx);
    check(label, `${alg} noble sign -> native verify, with context`, results.rnCtx);
    check(label, `${alg} context separation`, results.sep);
    check(label, `${alg} tampered or truncated signature rejected`, results.tamper);
    const { privateKey } = native.keyPairFromSeed(alg, rnd(32));
    const longCtx = codeOf(() => native.sign(alg, privateKey, rnd(4), rnd(256)));
    check(label, `${alg} 256-byte context -> INVALID_INPUT`, longCtx === 'INVALID_INPUT', longCtx);
  }
};
signatureChecks('dsa', sig);
// The path a runtime without native context takes: contexts go to noble, the rest stays native.
signatureChecks('dsa-context-fallback', createNativeSignature(nodeCrypto as unknown as NativeCrypto, false));

// --- AES-256-GCM: node and noble produce the same bytes and open each other's output.
{
  let same = true;
  let cross = true;
  for (let i = 0; i < 200; i++) {
    const key = rnd(32);
    const nonce = rnd(12);
    const pt = rnd(i * 7);
    const aad = i % 3 === 0 ? undefined : rnd(i % 40);
    const a = nodeAead.seal(key, nonce, pt, aad);
    same &&= eq(a, nobleAead.seal(key, nonce, pt, aad));
    cross &&= eq(nobleAead.open(key, nonce, a, aad), pt) && eq(nodeAead.open(key, nonce, a, aad), pt);
  }
  check('aead', 'AES-256-GCM node and noble: equal bytes', same);
  check('aead', 'AES-256-GCM node and noble: open each other', cross);
}

// --- errors never carry key material.
{
  const seed = rnd(64);
  const messages: string[] = [];
  const collect = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      messages.push(JSON.stringify(isQuantumApiError(e) ? e.toJSON() : String(e)), String((e as Error).message));
    }
  };
  collect(() => kem.keyPairFromSeed('ML-KEM-768', seed.subarray(0, 63)));
  const { privateKey } = kem.keyPairFromSeed('ML-KEM-768', seed);
  collect(() => kem.decapsulate('ML-KEM-768', privateKey, new Uint8Array(3)));
  collect(() => sig.sign('ML-DSA-65', privateKey, new Uint8Array(1)));
  const leaked = messages.some((m) => m.includes(hex(seed.subarray(0, 16))) || m.includes(hex(seed.subarray(32, 48))));
  check('errors', 'error messages carry no seed bytes', messages.length === 6 && !leaked, String(messages.length));
}

process.stdout.write(`${JSON.stringify({ node: process.version, openssl: process.versions.openssl, checks })}\n`);
