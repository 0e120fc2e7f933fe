import { describe, expect, it } from 'vitest';
import { prepare } from '../src/db/prepared.js';
import { type JsonbText, jsonbText } from '../src/db/schema.js';
import { createUser, readStored, useTestServer } from './helpers.js';

const server = useTestServer();

type KindValues = {
  id: string;
  public_metadata: JsonbText<'public_metadata'> | null;
  private_metadata: JsonbText<'private_metadata'> | null;
};

describe('prepared queries with named values', () => {
  it('when the SET lists the columns in another order than the values, then each value still lands in its column', async () => {
    const write = prepare('test_prepared_reordered', (db, v: KindValues) =>
      db
        .insertInto('user_metadata')
        .values({ private_metadata: v.private_metadata, user_id: v.id, public_metadata: v.public_metadata }),
    );
    const id = await createUser(server());
    await write(server().database.pool, {
      public_metadata: jsonbText('public_metadata', { side: 'public' }),
      id,
      private_metadata: jsonbText('private_metadata', { side: 'private' }),
    });
    expect(await readStored(server(), id)).toEqual({
      public_metadata: { side: 'public' },
      private_metadata: { side: 'private' },
      unsafe_metadata: null,
    });
  });

  it('when a value is used twice or beside a constant, then the compiled positions are filled from the names', async () => {
    const read = prepare('test_prepared_repeat', (db, v: { id: string }) =>
      db
        .selectFrom('users')
        .select((eb) => [eb.val('constant').as('seven'), 'id'])
        .where((eb) => eb.or([eb('id', '=', v.id), eb('id', '=', v.id)])),
    );
    const id = await createUser(server());
    expect(await read(server().database.pool, { id })).toEqual([{ seven: 'constant', id }]);
  });

  it('when a value would be spliced into the SQL text instead of bound, then prepare refuses at start-up', () => {
    expect(() =>
      prepare('test_prepared_spliced', (db, v: { column: string }) =>
        db.selectFrom('users').select((eb) => eb.ref(v.column as 'id').as('x')),
      ),
    ).toThrow(/written into the SQL text/);
  });

  it('when a value is swapped between two columns, then it does not compile', () => {
    // Type-level: `pnpm typecheck` fails if any @ts-expect-error below stops being an error.
    const typeOnly = (kinds: KindValues) => {
      prepare('test_prepared_swapped', (db, v: KindValues) =>
        db.updateTable('user_metadata').set({
          // @ts-expect-error private metadata's text cannot go into the public column
          public_metadata: v.private_metadata,
          // @ts-expect-error nor public metadata's into the private one
          private_metadata: v.public_metadata,
        }),
      );
      const save = prepare('test_prepared_typed_call', (db, v: KindValues) =>
        db.updateTable('user_metadata').set({ public_metadata: v.public_metadata }).where('user_id', '=', v.id),
      );
      // @ts-expect-error the values object is typed: a private text is not a public one
      void save(server().database.pool, { ...kinds, public_metadata: kinds.private_metadata });
      // @ts-expect-error a value cannot be left out
      void save(server().database.pool, { public_metadata: null, private_metadata: null });
    };
    expect(typeof typeOnly).toBe('function');
  });
});
