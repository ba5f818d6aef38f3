/**
 * String conditions (`qb.where('u.email = :e', { e })`, `having(...)`) are SQL the adapter cannot
 * rewrite: run as written they compare the plaintext with a ciphertext and silently match
 * nothing. The query hooks refuse them when the query is built, naming the column, so the
 * mistake shows at once. A reference that only tests for NULL passes (a NULL value is stored as
 * NULL), as does anything on a blind-index column, which is what `whereEncrypted` writes.
 *
 * This reads identifiers, not SQL grammar: quoted string literals are skipped, parameters
 * (`:e`, `:...list`) are not identifiers, and a name counts only when it is an encrypted
 * property or column of the alias it is qualified with (or of the main alias when unqualified).
 */
import type { DataSource, EntityMetadata, ObjectLiteral, QueryBuilder } from 'typeorm';
import { adapterOf } from './adapter.js';
import { type ResolvedEntity, type ResolvedField, unsupported } from './model.js';

/** The slice of a query builder's expression map read here. */
interface ConditionSource {
  readonly dataSource: DataSource;
  readonly expressionMap: {
    readonly mainAlias?: { readonly name: string };
    readonly aliases: readonly {
      readonly name: string;
      readonly hasMetadata: boolean;
      readonly metadata: EntityMetadata;
    }[];
    readonly wheres: readonly { readonly condition: unknown }[];
    readonly havings: readonly { readonly condition: unknown }[];
  };
}

// A qualifier: "quoted", `quoted`, [quoted] or bare, then a dot.
const QUALIFIER = '(?:"([^"]+)"|`([^`]+)`|\\[([^\\]]+)\\]|([A-Za-z_][\\w$]*))\\s*\\.\\s*';
const NULL_TEST = /^\s+IS\s+(?:NOT\s+)?NULL\b/i;
const STRING_LITERAL = /'(?:[^']|'')*'/g;
const escapeRegExp = (name: string): string => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each string condition of a where tree (object conditions were rewritten when they were added). */
const stringConditions = (condition: unknown, out: string[]): void => {
  if (typeof condition === 'string') out.push(condition);
  else if (Array.isArray(condition)) for (const clause of condition) stringConditions(clause?.condition, out);
  else if (typeof condition === 'object' && condition !== null && 'condition' in condition) {
    stringConditions((condition as { condition: unknown }).condition, out); // NOT(...) and brackets
  }
};

interface EntityNames {
  readonly byName: ReadonlyMap<string, ResolvedField>;
  /**
   * An optionally qualified reference to one of the entity's encrypted properties or columns,
   * quoted or bare; not a parameter (:name, :...name), not part of a longer identifier.
   */
  readonly reference: RegExp;
}

const namesCache = new WeakMap<ResolvedEntity, EntityNames>();
const encryptedNames = (entity: ResolvedEntity): EntityNames => {
  let names = namesCache.get(entity);
  if (!names) {
    const byName = new Map<string, ResolvedField>();
    for (const f of entity.fields.values()) byName.set(f.property, f).set(f.location.column, f);
    const alt = [...byName.keys()].map(escapeRegExp).join('|');
    const name = `(?:"(${alt})"|\`(${alt})\`|\\[(${alt})\\]|(${alt})(?![\\w$]))`;
    names = { byName, reference: new RegExp(`(?<![\\w$:@.])(?:${QUALIFIER})?${name}`, 'g') };
    namesCache.set(entity, names);
  }
  return names;
};

/**
 * Throws FieldUnsupportedOperationError when a string condition of the builder compares an
 * encrypted column (the query hooks call it when a query is built; callable by hand when the
 * hooks are off).
 */
export const assertNoEncryptedStringConditions = (qb: QueryBuilder<ObjectLiteral>): void => {
  const source = qb as unknown as ConditionSource;
  const raw: string[] = [];
  const { wheres, havings } = source.expressionMap;
  for (const clause of [...wheres, ...havings]) stringConditions(clause.condition, raw);
  if (raw.length === 0) return;
  // String literals blanked once, whatever the number of aliases checked against them.
  const strings = raw.map((sql) => (sql.includes("'") ? sql.replace(STRING_LITERAL, "''") : sql));
  const adapter = adapterOf(source.dataSource);
  const main = source.expressionMap.mainAlias?.name;
  for (const alias of source.expressionMap.aliases) {
    const entity = alias.hasMetadata ? adapter.entity(alias.metadata) : undefined;
    if (!entity) continue;
    const { byName, reference } = encryptedNames(entity);
    for (const sql of strings) {
      for (const m of sql.matchAll(reference)) {
        const qualifier = m[1] ?? m[2] ?? m[3] ?? m[4];
        // Unqualified names belong to the main alias; qualified ones to the alias they name.
        if ((qualifier ?? main) !== alias.name) continue;
        if (NULL_TEST.test(sql.slice(m.index + m[0].length))) continue;
        const f = byName.get((m[5] ?? m[6] ?? m[7] ?? m[8])!)!;
        throw unsupported(
          f,
          'a SQL string condition',
          'it would compare the ciphertext and match nothing; use whereEncrypted(qb, "alias.property", value) or an object condition',
        );
      }
    }
  }
};
