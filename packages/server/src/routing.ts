/**
 * What every API route does around its handler: check the scope, parse and validate the input
 * (JSON body or query) with zod, resolve the caller's tenant engine, and map any failure to the
 * typed error response. Handlers see only validated input and their tenant's backend.
 */
import { type Backend, InvalidInputError } from '@quantumapi/sdk';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Scope } from './api-keys.js';
import { type AppEnv, requireScope, sendError } from './app.js';
import type { TenantBackends } from './tenants.js';

export type Handler<T> = (backend: Backend, input: T, c: Context<AppEnv>) => Promise<unknown>;
type Method = 'get' | 'post' | 'patch' | 'delete';

const describe = (e: z.ZodError): string =>
  e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');

/** Validation errors name paths and rules, never the rejected values (they may be secrets). */
export const parse = <S extends z.ZodType>(schema: S, value: unknown): z.output<S> => {
  const r = schema.safeParse(value);
  if (!r.success) throw new InvalidInputError(`invalid request: ${describe(r.error)}`);
  return r.data;
};

export const readJson = async (c: Context<AppEnv>): Promise<unknown> => {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidInputError('request body is not valid JSON');
  }
};

/** The `:id` path parameter (decoded). */
export const id = (c: Context<AppEnv>): string => c.req.param('id') as string;

export interface Router {
  get<S extends z.ZodType>(path: string, scope: Scope | undefined, schema: S, handler: Handler<z.output<S>>): void;
  post<S extends z.ZodType>(path: string, scope: Scope | undefined, schema: S, handler: Handler<z.output<S>>): void;
  patch<S extends z.ZodType>(path: string, scope: Scope | undefined, schema: S, handler: Handler<z.output<S>>): void;
  delete<S extends z.ZodType>(path: string, scope: Scope | undefined, schema: S, handler: Handler<z.output<S>>): void;
}

/**
 * GET and DELETE validate the query; POST and PATCH the JSON body. `scope: undefined` means any
 * valid API key of the tenant (public information such as the issuer's keys).
 */
export const router = (api: Hono<AppEnv>, tenants: TenantBackends): Router => {
  const add =
    (method: Method) =>
    <S extends z.ZodType>(path: string, scope: Scope | undefined, schema: S, handler: Handler<z.output<S>>) => {
      api[method](path, async (c) => {
        if (scope) {
          const denied = requireScope(c, scope);
          if (denied) return denied;
        }
        try {
          const raw = method === 'get' || method === 'delete' ? c.req.query() : await readJson(c);
          const input = parse(schema, raw);
          const out = await handler(tenants.get(c.get('auth').tenant), input, c);
          // A handler that negotiated another representation (PEM, DER) answers for itself.
          return out instanceof Response ? out : c.json(out as object);
        } catch (e) {
          return sendError(c, e);
        }
      });
    };
  return { get: add('get'), post: add('post'), patch: add('patch'), delete: add('delete') };
};
