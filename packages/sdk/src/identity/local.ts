/**
 * The local issuer: tokens signed with the tenant's ML-DSA-65 key (optionally an ES256 key beside
 * it for classical verifiers). Keys are created on first use and stored as seeds sealed under the
 * tenant data key (purpose `identity-key:<alg>`); expanded keys live in memory only.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { z } from 'zod';
import { toBase64Url, utf8 } from '../crypto/bytes.js';
import { akpThumbprint } from '../crypto/jwk.js';
import { compactSign, type JwsSigner } from '../crypto/jws.js';
import { es256JwsSigner } from '../crypto/sig/jws-classical.js';
import { mlDsaJwsSigner } from '../crypto/sig/jws-ml-dsa.js';
import { ConflictError, InvalidInputError, KeyNotFoundError, StoreCorruptError } from '../errors.js';
import type { LocalContext } from '../local/context.js';
import type { RecordStore } from '../local/stores/types.js';
import type { IdentityBackend, IssuedToken, IssuerJwk, IssuerAlgorithm, IssueTokenInput, Jwks } from './backend.js';

const COLLECTION = 'identity-keys';

/**
 * Whether a tenant's local issuer has its signing key yet (it is made on first use). Lets a server
 * answer "no such issuer" for unknown tenants without opening an engine, which would create one.
 */
export const hasLocalIssuerKey = async (store: RecordStore, tenant: string): Promise<boolean> =>
  (await store.get(tenant, COLLECTION, 'ML-DSA-65')) !== undefined;
const RESERVED = ['iss', 'iat', 'exp', 'nbf'] as const;
export const MAX_TOKEN_LIFETIME_SECONDS = 31 * 24 * 3600;

const storedKeySchema = z.object({
  v: z.literal(1),
  alg: z.enum(['ML-DSA-65', 'ES256']),
  jwk: z.looseObject({ kty: z.string(), alg: z.string(), kid: z.string() }),
  sealedSeed: z.string(),
  createdAt: z.string(),
});
type StoredKey = z.infer<typeof storedKeySchema>;

interface LoadedKey {
  readonly jwk: IssuerJwk;
  readonly signer: JwsSigner;
}

export interface LocalIdentityOptions {
  /** `iss` of issued tokens; also what verifiers pass as `issuer`. Default `urn:quantumapi:local:<tenant>`. */
  readonly issuer?: string;
  /** Publish (and allow signing with) an ES256 key beside the ML-DSA-65 key. */
  readonly classicalKey?: boolean;
}

const sealPurpose = (alg: IssuerAlgorithm): string => `identity-key:${alg}`;

/** RFC 7638 thumbprint of an EC P-256 key: members crv, kty, x, y in that order. */
const ecThumbprint = (x: string, y: string): string =>
  toBase64Url(sha256(utf8(JSON.stringify({ crv: 'P-256', kty: 'EC', x, y }))));

export const createLocalIdentity = (ctx: LocalContext, options: LocalIdentityOptions = {}): IdentityBackend => {
  const issuer = options.issuer ?? `urn:quantumapi:local:${ctx.tenant}`;
  if (typeof issuer !== 'string' || issuer.length === 0)
    throw new InvalidInputError('"issuer" must be a non-empty string');
  const loaded = new Map<IssuerAlgorithm, Promise<LoadedKey>>();

  const expand = (rec: StoredKey): LoadedKey => {
    const seed = ctx.keyring.open(sealPurpose(rec.alg), rec.sealedSeed);
    try {
      if (rec.alg === 'ML-DSA-65') {
        const pair = ctx.providers.signature.keyPairFromSeed('ML-DSA-65', seed);
        if (toBase64Url(pair.publicKey) !== rec.jwk['pub'])
          throw new StoreCorruptError('identity key does not match its seed');
        return {
          jwk: rec.jwk as IssuerJwk,
          signer: mlDsaJwsSigner('ML-DSA-65', pair.privateKey, ctx.providers.signature),
        };
      }
      return { jwk: rec.jwk as IssuerJwk, signer: es256JwsSigner(seed) };
    } finally {
      seed.fill(0);
    }
  };

  const create = (alg: IssuerAlgorithm): StoredKey => {
    const createdAt = ctx.now().toISOString();
    if (alg === 'ML-DSA-65') {
      const seed = ctx.providers.random.randomBytes(32);
      const { publicKey } = ctx.providers.signature.keyPairFromSeed(alg, seed);
      const pub = toBase64Url(publicKey);
      const jwk = { kty: 'AKP', alg, pub, kid: akpThumbprint({ alg, pub }), use: 'sig' };
      return { v: 1, alg, jwk, sealedSeed: ctx.keyring.seal(sealPurpose(alg), seed), createdAt };
    }
    let seed = ctx.providers.random.randomBytes(32);
    // A random 256-bit string is outside the P-256 scalar range with probability ~2^-32: draw again.
    while (!p256.utils.isValidSecretKey(seed)) seed = ctx.providers.random.randomBytes(32);
    const point = p256.getPublicKey(seed, false);
    const x = toBase64Url(point.subarray(1, 33));
    const y = toBase64Url(point.subarray(33, 65));
    const jwk = { kty: 'EC', crv: 'P-256', alg, x, y, kid: ecThumbprint(x, y), use: 'sig' };
    return { v: 1, alg, jwk, sealedSeed: ctx.keyring.seal(sealPurpose(alg), seed), createdAt };
  };

  const loadOrCreate = async (alg: IssuerAlgorithm): Promise<LoadedKey> => {
    for (;;) {
      const rec = await ctx.store.get<unknown>(ctx.tenant, COLLECTION, alg);
      if (rec) {
        const parsed = storedKeySchema.safeParse(rec.data);
        if (!parsed.success || parsed.data.alg !== alg) throw new StoreCorruptError('stored identity key is malformed');
        return expand(parsed.data);
      }
      const fresh = create(alg);
      try {
        await ctx.store.put(ctx.tenant, COLLECTION, alg, fresh, 0);
        return expand(fresh);
      } catch (e) {
        // Another process created it first: use theirs.
        if (!(e instanceof ConflictError)) throw e;
      }
    }
  };

  const key = (alg: IssuerAlgorithm): Promise<LoadedKey> => {
    if (alg === 'ES256' && !options.classicalKey) {
      throw new KeyNotFoundError('this issuer has no ES256 key (enable classicalKey)');
    }
    let p = loaded.get(alg);
    if (!p) {
      p = loadOrCreate(alg);
      loaded.set(alg, p);
      p.catch(() => loaded.delete(alg));
    }
    return p;
  };

  return {
    issuer: async () => issuer,

    async issueToken(input: IssueTokenInput): Promise<IssuedToken> {
      const alg = input.algorithm ?? 'ML-DSA-65';
      if (alg !== 'ML-DSA-65' && alg !== 'ES256') throw new InvalidInputError('unsupported issuer algorithm');
      const life = input.expiresInSeconds;
      if (!Number.isInteger(life) || life <= 0 || life > MAX_TOKEN_LIFETIME_SECONDS) {
        throw new InvalidInputError(`expiresIn must be 1..${MAX_TOKEN_LIFETIME_SECONDS} seconds`);
      }
      const claims = input.claims;
      if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
        throw new InvalidInputError('claims must be an object');
      }
      for (const c of RESERVED) {
        if (c in claims) throw new InvalidInputError(`claim "${c}" is set by the issuer`, { details: { claim: c } });
      }
      if (input.audience !== undefined && 'aud' in claims) {
        throw new InvalidInputError('give the audience either as a claim or as an option, not both');
      }
      const k = await key(alg);
      const now = ctx.now();
      const iat = Math.floor(now.getTime() / 1000);
      const payload = {
        jti: toBase64Url(ctx.providers.random.randomBytes(16)),
        ...claims,
        iss: issuer,
        ...(input.audience !== undefined ? { aud: input.audience } : {}),
        iat,
        exp: iat + life,
      };
      const token = compactSign(JSON.stringify(payload), { alg, kid: k.jwk.kid, typ: 'JWT' }, k.signer);
      return {
        token,
        algorithm: alg,
        kid: k.jwk.kid,
        issuedAt: new Date(iat * 1000).toISOString(),
        expiresAt: new Date((iat + life) * 1000).toISOString(),
      };
    },

    async jwks(): Promise<Jwks> {
      const algs: IssuerAlgorithm[] = options.classicalKey ? ['ML-DSA-65', 'ES256'] : ['ML-DSA-65'];
      const keys = await Promise.all(algs.map(async (a) => (await key(a)).jwk));
      return { keys };
    },
  };
};
