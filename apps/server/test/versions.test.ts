import { describe, expect, it } from 'vitest';
import { MetadataService } from '../src/metadata/metadata.service.js';
import { createUser, useTestServer } from './helpers.js';

const server = useTestServer();

const storedVersion = async (userId: string) => {
  const row = await server()
    .database.db.selectFrom('user_metadata')
    .select('version')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.version;
};

describe('metadata versions in the database', () => {
  it('when a patch changes something, then the stored version goes up by one, and a no-op leaves it', async () => {
    const id = await createUser(server());
    expect(await storedVersion(id)).toBeUndefined();
    await server().client.patchUserMetadata(id, { public_metadata: { a: 1 } });
    expect(await storedVersion(id)).toBe(1);
    await server().client.patchUserMetadata(id, { public_metadata: { a: 1 } });
    await server().client.patchUserMetadata(id, { private_metadata: {} });
    expect(await storedVersion(id)).toBe(1);
    await server().client.patchUserMetadata(id, { public_metadata: { a: 2 } });
    await server().client.patchUserMetadata(id, null);
    expect(await storedVersion(id)).toBe(3);
  });

  it('when the service saves a change, then it returns the new version with the metadata before and after', async () => {
    const service = new MetadataService(server().database.pool);
    const id = await createUser(server());
    const first = await service.patch(id, { public_metadata: { tags: ['a'] } });
    expect(first).toMatchObject({
      kind: 'ok',
      version: { version: 1 },
      change: {
        version: 1,
        before: { public_metadata: null, private_metadata: null, unsafe_metadata: null },
        after: { public_metadata: { tags: ['a'] }, private_metadata: null, unsafe_metadata: null },
      },
    });
    const second = await service.patch(id, { public_metadata: { tags: ['a', 'b'] } });
    expect(second).toMatchObject({
      kind: 'ok',
      version: { version: 2 },
      change: {
        version: 2,
        before: { public_metadata: { tags: ['a'] } },
        after: { public_metadata: { tags: ['a', 'b'] } },
      },
    });
    const same = await service.patch(id, { public_metadata: { tags: ['a', 'b'] } });
    expect(same).toMatchObject({ kind: 'ok', version: { version: 2 }, change: undefined });
    expect(await service.get(id)).toMatchObject({ kind: 'ok', version: { version: 2 } });
  });

  it('when a user never had metadata, then it is at version 0; re-created with the same id, it gets a new incarnation', async () => {
    const service = new MetadataService(server().database.pool);
    const id = await createUser(server());
    const before = await service.get(id);
    expect(before).toMatchObject({ kind: 'ok', metadata: undefined, version: { version: 0 } });
    await server().database.db.deleteFrom('users').where('id', '=', id).execute();
    await server().database.db.insertInto('users').values({ id }).execute();
    const after = await service.get(id);
    expect(after).toMatchObject({ kind: 'ok', version: { version: 0 } });
    if (before.kind !== 'ok' || after.kind !== 'ok') throw new Error('unreachable');
    expect(after.version.incarnation).not.toBe(before.version.incarnation);
  });
});
