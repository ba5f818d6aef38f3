/**
 * The extension as Prisma's typing sees it. It has no run-time part: decryption and the rewriting
 * of arguments happen in the query hook, so Prisma never wraps results in its computed-field
 * proxies and its own methods run.
 *
 * - Results: the extension is typed as if it declared a result field of each encrypted column's
 *   type, which Prisma's typing lets override the scalar's type in every result (find*, create*,
 *   include, select, nested relations).
 * - Inputs and unique lookups: it is typed as if it declared model methods `create`, `update`,
 *   `findUnique`... whose `data` takes the declared types (nested writes included) and whose
 *   unique `where` may name an encrypted column with a unique blind index; Prisma's typing lets
 *   model methods override its own signatures.
 */
import type { EncryptedFieldTypes } from './field-types.js';
import type { EncryptionManifest } from './manifest.js';
import type { RetypedMethods } from './types/methods.js';

/**
 * Prisma's internal shape for result-extension fields (`InternalArgs['result']`: a thunk of each
 * field's `{ compute }`); Prisma reads the field's type off `compute`'s return type.
 */
type ResultFields<T> = {
  [K in keyof T]: { [P in keyof T[K]]: () => { compute: () => T[K][P] } };
};

/**
 * The extension as Prisma's `$extends` sees it: a function of the client whose extension args
 * declare the encrypted fields' types. `client` is `unknown` because any generated client fits.
 * `S`: the `strictTypes` option.
 */
export type QuantumApiPrismaExtension<M extends EncryptionManifest, S extends boolean = false> = (client: unknown) => {
  $extends: {
    extArgs: {
      result: ResultFields<EncryptedFieldTypes<M>>;
      model: RetypedMethods<M, S>;
      query: Record<never, never>;
      client: Record<never, never>;
    };
  };
};
