/** Client options, validated with zod; environment fallbacks resolved in one place. */
import { z } from 'zod';
import type { Backend } from '../backend/types.js';
import type { LocalCaOptions } from '../certificates/local.js';
import type { CryptoProviders } from '../crypto/providers.js';
import type { HttpBackendOptions } from '../http/backend.js';
import type { IdentityNamespaceOptions } from '../identity/namespace.js';
import type { LocalIdentityOptions } from '../identity/local.js';
import type { VaultNamespaceOptions } from '../vault/namespace.js';
import type { RecordStore } from '../local/stores/types.js';
import { parseOptions } from './validation.js';

export const API_KEY_ENV = ['QUANTUMAPI_KEY', 'QAPI_API_KEY'] as const;
export const BASE_URL_ENV = 'QUANTUMAPI_BASE_URL';
export const STORE_PATH_ENV = 'QAPI_STORE_PATH';
export const DEFAULT_STORE_PATH = '.qapi';

export interface LocalOptions {
  /** `file` (default; needs a master key), `memory` (throwaway), or any RecordStore (e.g. PostgreSQL). */
  readonly store?: 'file' | 'memory' | RecordStore;
  /** File store directory; `QAPI_STORE_PATH`, else `./.qapi`. */
  readonly path?: string;
  /** 32 bytes, or Base64/hex text; `QAPI_MASTER_KEY` when omitted. Optional for the memory store. */
  readonly masterKey?: string | Uint8Array;
  readonly tenant?: string;
  /** The embedded token issuer: `iss` and an optional ES256 key beside the ML-DSA-65 one. */
  readonly identity?: LocalIdentityOptions;
  /** The embedded CA: root algorithm, intermediate, lifetimes. */
  readonly certificates?: LocalCaOptions;
}

/** Transport settings of the http backend; the API key and base URL are top-level options. */
export type HttpOptions = Omit<HttpBackendOptions, 'apiKey' | 'baseUrl' | 'env'>;

export interface QuantumApiClientOptions {
  /** Force a backend kind, or pass a ready Backend instance. Default: http when an API key or base URL is configured, else local. */
  readonly backend?: 'local' | 'http' | Backend;
  readonly apiKey?: string;
  readonly baseUrl?: string;
  readonly local?: LocalOptions;
  readonly http?: HttpOptions;
  /** Secret caching for `vault.resolve`. */
  readonly vault?: VaultNamespaceOptions;
  /** Token verification: JWKS caching, per-issuer algorithm allow-lists, fetch. */
  readonly identity?: IdentityNamespaceOptions;
  /** Crypto providers (defaults to the runtime's: node:crypto where it helps, noble elsewhere). */
  readonly providers?: CryptoProviders;
  /** Environment to read fallbacks from (defaults to process.env where it exists). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock override for tests. */
  readonly now?: () => Date;
}

const isStore = (v: unknown): v is RecordStore =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as RecordStore).get === 'function' &&
  typeof (v as RecordStore).put === 'function';
const isBackend = (v: unknown): v is Backend =>
  typeof v === 'object' && v !== null && typeof (v as Backend).ready === 'function' && 'encryption' in v;

const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function');
const positiveInt = z.number().int().positive();

const schema = z.strictObject({
  backend: z
    .union([z.enum(['local', 'http']), z.custom<Backend>(isBackend, 'must be "local", "http" or a Backend')])
    .optional(),
  apiKey: z.string().min(8).optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  local: z
    .strictObject({
      store: z.union([z.enum(['file', 'memory']), z.custom<RecordStore>(isStore, 'must be a RecordStore')]).optional(),
      path: z.string().min(1).optional(),
      masterKey: z.union([z.string().min(1), z.instanceof(Uint8Array)]).optional(),
      tenant: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/)
        .optional(),
      identity: z
        .strictObject({ issuer: z.string().min(1).optional(), classicalKey: z.boolean().optional() })
        .optional(),
      certificates: z
        .strictObject({
          rootAlgorithm: z.enum(['ML-DSA-65', 'ML-DSA-87']).optional(),
          intermediate: z.boolean().optional(),
          subject: z.record(z.string(), z.unknown()).optional(),
          rootValidityDays: positiveInt.optional(),
          intermediateValidityDays: positiveInt.optional(),
          defaultTtlSeconds: positiveInt.optional(),
          maxTtlSeconds: positiveInt.optional(),
          crlValiditySeconds: positiveInt.optional(),
          crlDistributionPoint: z.url({ protocol: /^https?$/ }).optional(),
          caIssuersUrl: z.url({ protocol: /^https?$/ }).optional(),
        })
        .optional(),
    })
    .optional(),
  // The http backend validates its own transport options strictly when it is created.
  http: z.record(z.string(), z.unknown()).optional(),
  vault: z.strictObject({ now: fn.optional() }).optional(),
  identity: z
    .strictObject({
      fetch: fn.optional(),
      issuers: z.record(z.string(), z.strictObject({ algorithms: z.array(z.string()).min(1) })).optional(),
      discoveryMaxAgeMs: positiveInt.optional(),
      timeoutMs: positiveInt.optional(),
      maxAgeMs: positiveInt.optional(),
      cooldownMs: z.number().int().min(0).optional(),
      staleIfErrorMs: z.number().int().min(0).optional(),
      now: fn.optional(),
    })
    .optional(),
  providers: z
    .custom<CryptoProviders>((v) => typeof v === 'object' && v !== null && 'aead' in v && 'kem' in v)
    .optional(),
  env: z.record(z.string(), z.string().optional()).optional(),
  now: z.custom<() => Date>((v) => typeof v === 'function').optional(),
});

export const processEnv = (): Readonly<Record<string, string | undefined>> =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

export interface ResolvedOptions {
  readonly options: QuantumApiClientOptions;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly apiKey: string | undefined;
  readonly baseUrl: string | undefined;
  readonly kind: 'local' | 'http' | 'custom';
}

export const resolveOptions = (input: QuantumApiClientOptions = {}): ResolvedOptions => {
  const options = parseOptions(schema, input, 'client options') as QuantumApiClientOptions;
  const env = options.env ?? processEnv();
  const apiKey = options.apiKey ?? env[API_KEY_ENV[0]] ?? env[API_KEY_ENV[1]] ?? undefined;
  const baseUrl = options.baseUrl ?? env[BASE_URL_ENV] ?? undefined;
  const kind =
    typeof options.backend === 'object'
      ? 'custom'
      : (options.backend ?? (apiKey !== undefined || baseUrl !== undefined ? 'http' : 'local'));
  return { options, env, apiKey: apiKey || undefined, baseUrl: baseUrl || undefined, kind };
};
