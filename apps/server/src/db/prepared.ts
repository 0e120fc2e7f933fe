import {
  type Compilable,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import type pg from 'pg';
import type { DB } from './schema.js';
import { usesNamedStatements } from './session-settings.js';

/** Kysely that only compiles (no connection): the hot queries are written once, typed, here. */
const compiler = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** The named values a prepared query takes: one typed property per placeholder. */
export type QueryValues = Record<string, unknown>;

export type PreparedQuery<Row, Values extends QueryValues> = (
  executor: pg.Pool | pg.PoolClient,
  values: Values,
) => Promise<Row[]>;

/** Where a compiled parameter's value comes from: a named value, or a constant of the query. */
type Slot = { named: string } | { constant: unknown };

const MARK = '\u0000usermeta-value:';

/**
 * A query built with Kysely once, at start-up, and run as a named prepared statement: each
 * connection parses and plans it once, and no request pays for building or compiling SQL.
 *
 * Values are named and typed. `build` receives a stand-in for its values object (annotate its
 * type: `(db, v: { id: string }) => …`) and uses `v.id` wherever the value goes, so Kysely
 * checks each value against the column it is compared with or written to. At start-up the
 * compiled parameter list is mapped back to those names; at run time the positional array is
 * made from the typed object in the order Kysely compiled it. Reordering a query's columns can
 * therefore never move a value to another column, and with column types that differ (see
 * `JsonbText` in schema.ts) putting a value into the wrong column does not compile.
 */
export function prepare<Row, Values extends QueryValues = Record<never, never>>(
  name: string,
  build: (db: Kysely<DB>, values: Values) => Compilable<Row>,
): PreparedQuery<Row, Values> {
  const standIn = new Proxy({} as Values, {
    get: (_target, key) => (typeof key === 'string' ? `${MARK}${key}` : undefined),
  });
  const { sql: text, parameters } = build(compiler, standIn).compile();
  if (text.includes(MARK)) {
    throw new Error(`prepared query ${name}: a value was written into the SQL text instead of bound`);
  }
  const slots: Slot[] = parameters.map((parameter) =>
    typeof parameter === 'string' && parameter.startsWith(MARK)
      ? { named: parameter.slice(MARK.length) }
      : { constant: parameter },
  );
  return async (executor, values) => {
    const positional = slots.map((slot) => {
      if ('constant' in slot) return slot.constant;
      const value = values[slot.named];
      if (value === undefined) throw new Error(`prepared query ${name}: no value for ${slot.named}`);
      return value;
    });
    // Unnamed (DB_PREPARED_STATEMENTS=unnamed): still parameterised, but safe behind a transaction pooler.
    const result = await executor.query(
      usesNamedStatements(executor) ? { name, text, values: positional } : { text, values: positional },
    );
    return result.rows as Row[];
  };
}
