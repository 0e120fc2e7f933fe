import {
  type Compilable,
  CompiledQuery,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Transaction,
} from 'kysely';
import type pg from 'pg';
import type { DB } from './schema.js';

/**
 * One connection (usually inside a transaction) that runs SQL text: the shape pg-boss calls
 * `IDatabase`, so that the same handle writes an event, its deliveries and their jobs, and
 * everything commits or rolls back together.
 */
export type Queryable = {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
};

export function queryableOfClient(client: pg.PoolClient | pg.Pool): Queryable {
  return { executeSql: async (text, values) => client.query(text, values as unknown[]) };
}

export function queryableOfKysely(trx: Transaction<DB> | Kysely<DB>): Queryable {
  return {
    executeSql: async (text, values) => {
      const result = await trx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] };
    },
  };
}

/** Kysely that only compiles: queries stay typed and are run on whatever Queryable holds the transaction. */
export const sqlBuilder = new Kysely<DB>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/** Runs a query built with `sqlBuilder` on `q`; the rows come typed from the query. */
export async function run<Row>(q: Queryable, query: Compilable<Row>): Promise<Row[]> {
  const { sql, parameters } = query.compile();
  const result = await q.executeSql(sql, [...parameters]);
  return result.rows as Row[];
}
