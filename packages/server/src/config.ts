/** Server configuration from the environment, validated once at start-up. */
import type { BlockList } from 'node:net';
import { parseMasterKey } from '@quantumapi/sdk';
import { z } from 'zod';
import { parseTrustedProxies } from './client-address.js';
import { ANONYMOUS_RATE_LIMIT, AUTH_FAILURE_RATE_LIMIT } from './rate-limit.js';

const schema = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  /** `postgres` (default; needs DATABASE_URL) or `memory` (a throwaway server for trying things). */
  QAPI_STORE: z.enum(['postgres', 'memory']).default('postgres'),
  QAPI_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .default('public'),
  QAPI_MASTER_KEY: z.string().min(1),
  QAPI_API_KEY_PEPPER: z.string().min(16).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  QAPI_BASE_PATH: z
    .string()
    .regex(/^(\/[A-Za-z0-9._-]+)*$/)
    .default('/api/v1'),
  QAPI_RATE_LIMIT_RPS: z.coerce.number().positive().default(100),
  QAPI_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(200),
  /** Per client address, for the unauthenticated reads (OIDC discovery and JWKS, public CA and CRL). */
  QAPI_ANON_RATE_LIMIT_RPS: z.coerce.number().positive().default(ANONYMOUS_RATE_LIMIT.ratePerSecond),
  QAPI_ANON_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(ANONYMOUS_RATE_LIMIT.burst),
  /** Per client address, failed authentications (a bad or revoked API key, a bad OAuth client). */
  QAPI_AUTH_FAILURE_RATE_LIMIT_RPS: z.coerce.number().positive().default(AUTH_FAILURE_RATE_LIMIT.ratePerSecond),
  QAPI_AUTH_FAILURE_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(AUTH_FAILURE_RATE_LIMIT.burst),
  /**
   * Comma-separated addresses and CIDR ranges of reverse proxies in front of this server: from
   * them, X-Forwarded-For names the client for the per-address limits. Empty: the TCP peer.
   */
  QAPI_TRUSTED_PROXIES: z.string().default(''),
  /** How long this process serves a tenant's discovery document and JWKS from memory. */
  QAPI_OIDC_CACHE_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  /**
   * Serve each tenant's CA chain and CRL without credentials under {base}/pki/{tenant}. Off by
   * default: an upgrade must not publish anything new (decision 0007).
   */
  QAPI_PUBLIC_PKI: z
    .string()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'on', 'off']))
    .default('false')
    .transform((v) => v === 'true' || v === '1' || v === 'on'),
  /** How long this process serves a tenant's public CA chain and CRL from memory. */
  QAPI_PKI_CACHE_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  QAPI_BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * 1024 * 1024),
  QAPI_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  /** Where clients reach this server (scheme://host[:port]); names the OIDC issuers. */
  QAPI_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  QAPI_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(24 * 3600)
    .default(3600),
});

export interface ServerConfig {
  readonly store: 'postgres' | 'memory';
  readonly databaseUrl: string | undefined;
  readonly dbSchema: string;
  readonly masterKey: Uint8Array;
  readonly pepper: Uint8Array | undefined;
  readonly port: number;
  readonly host: string;
  readonly basePath: string;
  readonly rateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** Per client address on the anonymous OIDC endpoints (discovery, JWKS). */
  readonly anonymousRateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** Per client address, failed authentications. */
  readonly authFailureRateLimit: { readonly ratePerSecond: number; readonly burst: number };
  /** QAPI_TRUSTED_PROXIES, parsed; undefined when none are trusted. */
  readonly trustedProxies: BlockList | undefined;
  readonly oidcCacheSeconds: number;
  /** Whether {base}/pki/{tenant}/ca.pem, /crl and /crl.pem are served (QAPI_PUBLIC_PKI). */
  readonly publicPki: boolean;
  readonly pkiCacheSeconds: number;
  readonly bodyLimitBytes: number;
  readonly poolSize: number;
  /** Undefined: http://{HOST}:{port actually bound} (loopback when HOST is a wildcard). */
  readonly publicUrl: string | undefined;
  readonly tokenTtlSeconds: number;
}

export class ConfigError extends Error {}

export const loadConfig = (env: Readonly<Record<string, string | undefined>> = process.env): ServerConfig => {
  const r = schema.safeParse(env);
  if (!r.success) {
    // Names only: values may be secrets.
    throw new ConfigError(`invalid configuration: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}`);
  }
  const e = r.data;
  if (e.QAPI_STORE === 'postgres' && !e.DATABASE_URL) throw new ConfigError('DATABASE_URL is required');
  const proxies = e.QAPI_TRUSTED_PROXIES.split(',').filter((p) => p.trim() !== '');
  let trustedProxies: BlockList | undefined;
  try {
    trustedProxies = proxies.length ? parseTrustedProxies(proxies) : undefined;
  } catch (cause) {
    throw new ConfigError(`invalid configuration: QAPI_TRUSTED_PROXIES (${(cause as Error).message})`);
  }
  return {
    store: e.QAPI_STORE,
    databaseUrl: e.DATABASE_URL,
    dbSchema: e.QAPI_DB_SCHEMA,
    masterKey: parseMasterKey(e.QAPI_MASTER_KEY),
    pepper: e.QAPI_API_KEY_PEPPER ? new TextEncoder().encode(e.QAPI_API_KEY_PEPPER) : undefined,
    port: e.PORT,
    host: e.HOST,
    basePath: e.QAPI_BASE_PATH,
    rateLimit: { ratePerSecond: e.QAPI_RATE_LIMIT_RPS, burst: e.QAPI_RATE_LIMIT_BURST },
    anonymousRateLimit: { ratePerSecond: e.QAPI_ANON_RATE_LIMIT_RPS, burst: e.QAPI_ANON_RATE_LIMIT_BURST },
    authFailureRateLimit: {
      ratePerSecond: e.QAPI_AUTH_FAILURE_RATE_LIMIT_RPS,
      burst: e.QAPI_AUTH_FAILURE_RATE_LIMIT_BURST,
    },
    trustedProxies,
    oidcCacheSeconds: e.QAPI_OIDC_CACHE_SECONDS,
    publicPki: e.QAPI_PUBLIC_PKI,
    pkiCacheSeconds: e.QAPI_PKI_CACHE_SECONDS,
    bodyLimitBytes: e.QAPI_BODY_LIMIT_BYTES,
    poolSize: e.QAPI_DB_POOL_SIZE,
    publicUrl: e.QAPI_PUBLIC_URL?.replace(/\/+$/, ''),
    tokenTtlSeconds: e.QAPI_TOKEN_TTL_SECONDS,
  };
};
