import type {
  ErrorBody,
  UserFilter,
  UserList,
  UserMetadata,
  UserMetadataPatch,
  UserWithMetadata,
} from '@usermeta/contract';
import { describe, expectTypeOf, it } from 'vitest';
import type { UsermetaClient } from './client.js';
import type { UpdateMetadataOutcome } from './update-metadata.js';

/**
 * Type-level tests: `pnpm typecheck` fails if the client's types drift from the contract.
 * Each `@ts-expect-error` line must stay an error; remove one and typecheck fails.
 */

type Result<K extends keyof UsermetaClient> = UsermetaClient[K] extends (...args: never[]) => Promise<infer R>
  ? R
  : never;

declare const client: UsermetaClient;
const id = 'e6c19cfb-09a2-41e5-a908-e33193b7ca0a';

describe('client types', () => {
  it('when GET metadata answers 200, then the body is exactly the contract UserMetadata', () => {
    expectTypeOf<Extract<Result<'getUserMetadata'>, { status: 200 }>['body']>().toEqualTypeOf<UserMetadata>();
    expectTypeOf<Result<'getUserMetadata'>['status']>().toEqualTypeOf<200 | 204 | 304 | 400 | 401 | 403 | 404 | 500>();
    expectTypeOf<Extract<Result<'getUserMetadata'>, { status: 204 }>['body']>().toEqualTypeOf<undefined>();
  });

  it('when patching, then the body is the contract patch type, and a non-object kind does not compile', () => {
    expectTypeOf<Parameters<UsermetaClient['patchUserMetadata']>[1]>().toEqualTypeOf<UserMetadataPatch>();
    const typeOnly = () => {
      // @ts-expect-error a kind must be an object or null
      void client.patchUserMetadata(id, { public_metadata: 'admin' });
      // @ts-expect-error arrays are not kinds
      void client.patchUserMetadata(id, { private_metadata: [1, 2] });
      // @ts-expect-error the top level must be an object or null
      void client.patchUserMetadata(id, [{}]);
      void client.patchUserMetadata(id, null);
      void client.patchUserMetadata(id, {
        public_metadata: { role: 'admin', nested: { a: [1, null] } },
        unsafe_metadata: null,
      });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it('when a user is created, then the 201 body has id and timestamps', () => {
    expectTypeOf<Extract<Result<'createUser'>, { status: 201 }>['body']>().toEqualTypeOf<{
      id: string;
      created_at: string;
      updated_at: string;
    }>();
  });

  it('when listing, then the 200 body is the contract UserList, filters are objects, and users() yields users', () => {
    expectTypeOf<Extract<Result<'listUsers'>, { status: 200 }>['body']>().toEqualTypeOf<UserList>();
    expectTypeOf<Result<'listUsers'>['status']>().toEqualTypeOf<200 | 400 | 401 | 403 | 500>();
    expectTypeOf<NonNullable<Parameters<UsermetaClient['listUsers']>[0]>['filter']>().toEqualTypeOf<
      UserFilter | undefined
    >();
    expectTypeOf<ReturnType<UsermetaClient['users']>>().toEqualTypeOf<AsyncGenerator<UserWithMetadata, void>>();
    const typeOnly = () => {
      // @ts-expect-error a filter is an object, not its JSON text
      void client.listUsers({ filter: { public_metadata: '{"plan":"team"}' } });
      // @ts-expect-error only the three kinds filter
      void client.listUsers({ filter: { metadata: { plan: 'team' } } });
      // @ts-expect-error the limit is a number
      void client.listUsers({ limit: '5' });
      void client.listUsers({ filter: { private_metadata: { a: [1] } }, limit: 5, cursor: 'c' });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});

describe('API key types', () => {
  it('when a key is made, then scopes and kinds must be the contract names, and the 201 body carries the key', () => {
    expectTypeOf<Extract<Result<'createApiKey'>, { status: 201 }>['body']['key']>().toEqualTypeOf<string>();
    expectTypeOf<Result<'revokeApiKey'>['status']>().toEqualTypeOf<204 | 400 | 401 | 403 | 404 | 500>();
    const typeOnly = () => {
      // @ts-expect-error not a scope
      void client.createApiKey({ name: 'x', scopes: ['users:admin'] });
      // @ts-expect-error not a kind
      void client.createApiKey({ name: 'x', scopes: [], kinds: ['public'] });
      // @ts-expect-error a name is needed
      void client.createApiKey({ scopes: ['users:read'] });
      void client.createApiKey({ name: 'x', scopes: ['metadata:read'], kinds: ['public_metadata'], expires_at: 'x' });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });
});

describe('conditional request types', () => {
  it('when metadata answers come back, then they carry the ETag, 304 and 412 are declared, and the conditions are typed', () => {
    expectTypeOf<Result<'getUserMetadata'>['etag']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Result<'patchUserMetadata'>['etag']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Extract<Result<'getUserMetadata'>, { status: 304 }>['body']>().toEqualTypeOf<undefined>();
    expectTypeOf<Extract<Result<'patchUserMetadata'>, { status: 412 }>['body']>().toEqualTypeOf<ErrorBody>();
    const typeOnly = () => {
      void client.getUserMetadata(id, { ifNoneMatch: '"1.2"' });
      void client.patchUserMetadata(id, {}, { ifMatch: '"1.2"' });
      // @ts-expect-error the condition is If-Match on PATCH
      void client.patchUserMetadata(id, {}, { ifNoneMatch: '"1.2"' });
      // @ts-expect-error the change function returns the whole metadata, kinds as objects
      void client.updateUserMetadata(id, () => ({ public_metadata: 'x' }));
      void client.updateUserMetadata(id, (current) => ({ ...current, public_metadata: { a: 1 } }), { attempts: 3 });
    };
    expectTypeOf(typeOnly).toBeFunction();
  });

  it('when updateUserMetadata ends, then the outcome is updated, conflict or failed with an error body', () => {
    expectTypeOf<Awaited<ReturnType<UsermetaClient['updateUserMetadata']>>>().toEqualTypeOf<UpdateMetadataOutcome>();
    expectTypeOf<UpdateMetadataOutcome['kind']>().toEqualTypeOf<'updated' | 'conflict' | 'failed'>();
    expectTypeOf<Extract<UpdateMetadataOutcome, { kind: 'updated' }>['metadata']>().toEqualTypeOf<UserMetadata>();
    expectTypeOf<Extract<UpdateMetadataOutcome, { kind: 'failed' }>['body']>().toEqualTypeOf<ErrorBody>();
  });
});
