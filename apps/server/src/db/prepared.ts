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

export type PreparedQuery<Row> = (executor: pg.Pool | pg.PoolClient, values: unknown[]) => Promise<Row[]>;

/**
 * A query built with Kysely once, at start-up, and run as a named prepared statement: each
 * connection parses and plans it once, and no request pays for building or compiling SQL.
 * `build` gets placeholder values; the real ones are passed positionally when run.
 */
export function prepare<Row>(name: string, build: (db: Kysely<DB>) => Compilable<Row>): PreparedQuery<Row> {
  const { sql: text, parameters } = build(compiler).compile();
  return async (executor, values) => {
    if (values.length !== parameters.length) {
      throw new Error(`prepared query ${name} takes ${parameters.length} values, got ${values.length}`);
    }
    // Unnamed (DB_PREPARED_STATEMENTS=unnamed): still parameterised, but safe behind a transaction pooler.
    const result = await executor.query(usesNamedStatements(executor) ? { name, text, values } : { text, values });
    return result.rows as Row[];
  };
}
