/** Token builders for identity tests: the SDK's local issuer, plus node:crypto as an independent classical signer. */
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createLocalIdentity } from '../../src/identity/local.js';
import { IdentityNamespace, type IdentityNamespaceOptions } from '../../src/identity/namespace.js';
import { MemoryStore } from '../../src/local/stores/memory.js';
import { makeContext } from '../vault/helpers.js';

export const b64u = (v: string | Uint8Array): string => Buffer.from(v).toString('base64url');

export const localIssuer = (issuer: string, classicalKey = false, options: IdentityNamespaceOptions = {}) =>
  new IdentityNamespace(createLocalIdentity(makeContext(new MemoryStore()), { issuer, classicalKey }), options);

export type ClassicalAlg = 'ES256' | 'EdDSA' | 'RS256';

export interface NodeKey {
  readonly alg: ClassicalAlg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

export const nodeKey = (alg: ClassicalAlg, kid: string): NodeKey => {
  const pair =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    alg,
    kid,
    privateKey: pair.privateKey,
    jwk: { ...pair.publicKey.export({ format: 'jwk' }), alg, kid, use: 'sig' },
  };
};

/** A JWT signed by node:crypto (not by our code): header/claims exactly as given. */
export const nodeJwt = (
  key: NodeKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string => {
  const input = `${b64u(JSON.stringify({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header }))}.${b64u(JSON.stringify(claims))}`;
  const data = Buffer.from(input);
  const sig =
    key.alg === 'ES256'
      ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : key.alg === 'EdDSA'
        ? sign(null, data, key.privateKey)
        : sign('sha256', data, key.privateKey);
  return `${input}.${b64u(sig)}`;
};

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Replace the payload of a compact JWS, keeping header and signature. */
export const withPayload = (jws: string, claims: Record<string, unknown>): string => {
  const [h, , s] = jws.split('.');
  return `${h}.${b64u(JSON.stringify(claims))}.${s}`;
};

export const decodePayload = (jws: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jws.split('.')[1] as string, 'base64url').toString('utf8'));
