/**
 * HPKE known-answer tests: every entry of the hpke-pq working group vectors (test/vectors/PROVENANCE.md)
 * is replayed through the public API, and the intermediate values through the KEM and KDF modules.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../src/crypto/bytes.js';
import {
  hpkeDeriveKeyPair,
  hpkeOpen,
  hpkeReceiveExport,
  hpkeSeal,
  hpkeSendExport,
  hpkeSuite,
  hpkeSuiteId,
  setupBaseR,
  setupBaseS,
} from '../src/crypto/hpke/index.js';
import { hpkeAead } from '../src/crypto/hpke/aead.js';
import { HPKE_KDFS } from '../src/crypto/hpke/kdf.js';
import { HPKE_KEMS } from '../src/crypto/hpke/kem.js';

interface Vector {
  mode: number;
  kem_id: number;
  kdf_id: number;
  aead_id: number;
  info: string;
  ikmE: string;
  ikmR: string;
  skRm: string;
  pkRm: string;
  enc: string;
  shared_secret: string;
  suite_id: string;
  key: string;
  base_nonce: string;
  exporter_secret: string;
  encryptions: { aad: string; ct: string; nonce: string; pt: string }[];
  exports: { exporter_context: string; L: number; exported_value: string }[];
}

const vectors = JSON.parse(
  readFileSync(new URL('./vectors/hpke-pq-mlkem768-xwing.json', import.meta.url), 'utf8'),
) as Vector[];

const hex = (s: string) => fromHex(s);
const label = (v: Vector) =>
  `kem 0x${v.kem_id.toString(16)} / kdf 0x${v.kdf_id.toString(16)} / aead 0x${v.aead_id.toString(16)}`;

describe('HPKE PQ test vectors (draft-ietf-hpke-pq)', () => {
  it('covers the three suites the SDK relies on', () => {
    expect(vectors.map(label)).toEqual([
      'kem 0x41 / kdf 0x1 / aead 0x1',
      'kem 0x647a / kdf 0x1 / aead 0x3',
      'kem 0x647a / kdf 0x11 / aead 0x3',
    ]);
  });

  describe.each(vectors.map((v) => [label(v), v] as const))('%s', (_name, v) => {
    const suite = hpkeSuite(v.kem_id, v.kdf_id, v.aead_id);
    const info = hex(v.info);

    it('is a base-mode vector with the expected suite_id', () => {
      expect(v.mode).toBe(0);
      expect(toHex(hpkeSuiteId(suite))).toBe(v.suite_id);
    });

    it('DeriveKeyPair(ikmR) gives skRm and pkRm', () => {
      const kp = hpkeDeriveKeyPair(suite.kem, hex(v.ikmR));
      expect(toHex(kp.privateKey)).toBe(v.skRm);
      expect(toHex(kp.publicKey)).toBe(v.pkRm);
    });

    it('Encap with ikmE gives enc and shared_secret; Decap recovers it', () => {
      const kem = HPKE_KEMS[suite.kem];
      const { enc, sharedSecret } = kem.encap(hex(v.pkRm), hex(v.ikmE));
      expect(toHex(enc)).toBe(v.enc);
      expect(toHex(sharedSecret)).toBe(v.shared_secret);
      expect(toHex(kem.decap(hex(v.enc), hex(v.skRm)))).toBe(v.shared_secret);
    });

    it('the key schedule gives key, base_nonce and exporter_secret', () => {
      const aead = hpkeAead(suite.aead);
      const out = HPKE_KDFS[suite.kdf].keySchedule(hpkeSuiteId(suite), hex(v.shared_secret), info, aead.nk, aead.nn);
      expect(toHex(out.key)).toBe(v.key);
      expect(toHex(out.baseNonce)).toBe(v.base_nonce);
      expect(toHex(out.exporterSecret)).toBe(v.exporter_secret);
    });

    it('the sender context seals every encryption in sequence and exports every value', () => {
      const { enc, context } = setupBaseS(suite, hex(v.pkRm), { info, ikmE: hex(v.ikmE) });
      expect(toHex(enc)).toBe(v.enc);
      v.encryptions.forEach((e, seq) => {
        expect(context.seq).toBe(seq);
        expect(toHex(context.seal(hex(e.pt), hex(e.aad)))).toBe(e.ct);
      });
      for (const x of v.exports) {
        expect(toHex(context.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      }
    });

    it('the vector nonces are base_nonce XOR seq', () => {
      const base = hex(v.base_nonce);
      v.encryptions.forEach((e, seq) => {
        const n = base.slice();
        n[n.length - 1] = (n[n.length - 1] as number) ^ seq;
        expect(toHex(n)).toBe(e.nonce);
      });
    });

    it('past seq 255 the nonce is still base_nonce XOR I2OSP(seq, Nn) (multi-byte)', () => {
      const { context } = setupBaseS(suite, hex(v.pkRm), { info, ikmE: hex(v.ikmE) });
      for (let i = 0; i < 256; i++) context.seal(new Uint8Array(0));
      const aead = hpkeAead(suite.aead);
      const key = hex(v.key);
      for (const seq of [256, 257]) {
        const nonce = hex(v.base_nonce);
        nonce[10] = (nonce[10] as number) ^ (seq >> 8);
        nonce[11] = (nonce[11] as number) ^ (seq & 0xff);
        const pt = hex(v.encryptions[0]!.pt);
        expect(toHex(context.seal(pt))).toBe(toHex(aead.seal(key, nonce, new Uint8Array(0), pt)));
      }
    });

    it('the receiver context opens every encryption in sequence and exports every value', () => {
      const context = setupBaseR(suite, hex(v.enc), hex(v.skRm), { info });
      for (const e of v.encryptions) expect(toHex(context.open(hex(e.ct), hex(e.aad)))).toBe(e.pt);
      expect(context.seq).toBe(v.encryptions.length);
      for (const x of v.exports) {
        expect(toHex(context.export(hex(x.exporter_context), x.L))).toBe(x.exported_value);
      }
    });

    it('single-shot seal/open and export agree with the first encryption and exports', () => {
      const first = v.encryptions[0]!;
      const sealed = hpkeSeal(suite, hex(v.pkRm), hex(first.pt), { info, aad: hex(first.aad), ikmE: hex(v.ikmE) });
      expect(toHex(sealed.enc)).toBe(v.enc);
      expect(toHex(sealed.ciphertext)).toBe(first.ct);
      expect(toHex(hpkeOpen(suite, hex(v.enc), hex(v.skRm), hex(first.ct), { info, aad: hex(first.aad) }))).toBe(
        first.pt,
      );
      const x = v.exports[0]!;
      const sent = hpkeSendExport(suite, hex(v.pkRm), hex(x.exporter_context), x.L, { info, ikmE: hex(v.ikmE) });
      expect(toHex(sent.exported)).toBe(x.exported_value);
      expect(toHex(hpkeReceiveExport(suite, sent.enc, hex(v.skRm), hex(x.exporter_context), x.L, { info }))).toBe(
        x.exported_value,
      );
    });
  });
});
