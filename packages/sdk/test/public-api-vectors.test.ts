/**
 * Every published vector, through the published entry points only: `@quantumapi/sdk/crypto`
 * (src/crypto/index.ts) and `@quantumapi/sdk` (src/index.ts). The per-module suites check the
 * intermediate values; this file proves a user gets the same results from the public surface.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as qcrypto from '../src/crypto/index.js';
import { QuantumApiClient } from '../src/index.js';

const vector = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')) as T;
const hex = qcrypto.fromHex;

describe('public API: HPKE-PQ vectors (hpke-pq-mlkem768-xwing.json)', () => {
  interface V {
    kem_id: number;
    kdf_id: number;
    aead_id: number;
    info: string;
    ikmE: string;
    ikmR: string;
    pkRm: string;
    skRm: string;
    enc: string;
    encryptions: { aad: string; ct: string; pt: string }[];
    exports: { exporter_context: string; L: number; exported_value: string }[];
  }
  test.each(
    vector<V[]>('hpke-pq-mlkem768-xwing.json').map((v) => [`${v.kem_id}/${v.kdf_id}/${v.aead_id}`, v] as const),
  )('suite %s: derive, seal in sequence, open, export', (_id, v) => {
    const suite = qcrypto.hpkeSuite(v.kem_id, v.kdf_id, v.aead_id);
    const kp = qcrypto.hpkeDeriveKeyPair(suite.kem, hex(v.ikmR));
    expect(qcrypto.toHex(kp.publicKey)).toBe(v.pkRm);
    const { enc, context } = qcrypto.setupBaseS(suite, hex(v.pkRm), { info: hex(v.info), ikmE: hex(v.ikmE) });
    expect(qcrypto.toHex(enc)).toBe(v.enc);
    for (const e of v.encryptions) expect(qcrypto.toHex(context.seal(hex(e.pt), hex(e.aad)))).toBe(e.ct);
    const receiver = qcrypto.setupBaseR(suite, hex(v.enc), hex(v.skRm), { info: hex(v.info) });
    for (const e of v.encryptions) expect(qcrypto.toHex(receiver.open(hex(e.ct), hex(e.aad)))).toBe(e.pt);
    for (const x of v.exports) {
      expect(qcrypto.toHex(receiver.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
    }
  });
});

describe('public API: JOSE HPKE-12 / HPKE-9 (jose-hpke-12-and-9.json)', () => {
  // The file carries no plaintext: the constant of the generator script (see test/jose-hpke.test.ts).
  const PLAINTEXT_START = 'You can trust us to stick with you through thick and thin';
  const vs = vector<{ alg: string; jwk: object; compact: string; flattened: object }[]>('jose-hpke-12-and-9.json');
  test.each(vs.map((v) => [v.alg, v] as const))('%s decrypts in compact and flattened form', (_alg, v) => {
    for (const jwe of [v.compact, v.flattened]) {
      const r = qcrypto.jweDecrypt(jwe as never, v.jwk);
      expect(qcrypto.fromUtf8(r.plaintext).startsWith(PLAINTEXT_START)).toBe(true);
    }
  });
});

describe('public API: RFC 9964 ML-DSA JOSE (rfc9964-ML_DSA_{44,65}.jose.json)', () => {
  test.each(['rfc9964-ML_DSA_44.jose.json', 'rfc9964-ML_DSA_65.jose.json'])('%s', (file) => {
    const v = vector<{ priv: string; jwk: { alg: 'ML-DSA-44' | 'ML-DSA-65'; pub: string; kid: string }; jws: string }>(
      file,
    );
    const { publicKey } = qcrypto.mlDsaKeyPairFromSeed(v.jwk.alg, hex(v.priv));
    const jwk = qcrypto.toAkpPublicJwk(v.jwk.alg, publicKey);
    expect(jwk.pub).toBe(v.jwk.pub);
    expect(jwk.kid).toBe(v.jwk.kid);
    expect(qcrypto.compactVerify(v.jws, jwk, { algorithms: [v.jwk.alg] }).protectedHeader.alg).toBe(v.jwk.alg);
  });
});

describe('public API: composite ML-DSA-65 + ECDSA-P256 (composite-mldsa65-ecdsa-p256-sha512.json)', () => {
  const v = vector<{ m: string; ctx: string; tests: { tcId: string; pk: string; s: string; sWithContext: string }[] }>(
    'composite-mldsa65-ecdsa-p256-sha512.json',
  );
  test('id-MLDSA65-ECDSA-P256-SHA512 verifies with and without context', () => {
    const t = v.tests.find((x) => x.tcId === 'id-MLDSA65-ECDSA-P256-SHA512');
    if (!t) throw new Error('composite entry missing');
    const [pk, m, ctx] = [qcrypto.fromBase64(t.pk), qcrypto.fromBase64(v.m), qcrypto.fromBase64(v.ctx)];
    expect(qcrypto.signatureSuite('MLDSA65-ECDSA-P256-SHA512').verify(pk, m, qcrypto.fromBase64(t.s))).toBe(true);
    expect(qcrypto.compositeVerify(pk, m, qcrypto.fromBase64(t.sWithContext), { context: ctx })).toBe(true);
    expect(qcrypto.compositeVerify(pk, m, qcrypto.fromBase64(t.s), { context: ctx })).toBe(false);
  });
});

describe('public API: the client signs RFC 9964-compatible ML-DSA-65 signatures', () => {
  test('a signature from encryption.sign verifies with the exported AKP JWK through compactVerify-style raw verify', async () => {
    const qapi = new QuantumApiClient({ env: {}, local: { store: 'memory' } });
    const key = await qapi.encryption.keys.create({ algorithm: 'ML-DSA-65' });
    const jwk = await qapi.encryption.keys.exportPublicKey(key.id);
    const sig = await qapi.encryption.sign('payload');
    const pub = qcrypto.fromBase64Url(jwk.pub as string);
    expect(
      qcrypto.signatureSuite('ML-DSA-65').verify(pub, qcrypto.utf8('payload'), qcrypto.fromBase64(sig.signature)),
    ).toBe(true);
  });
});
