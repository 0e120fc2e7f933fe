import { initServer } from '@ts-rest/express';
import { contract } from '@usermeta/contract';
import { describe, expectTypeOf, it } from 'vitest';

/**
 * Type-level tests: a handler that strays from the contract must not compile.
 * Each `@ts-expect-error` line must stay an error; remove one and `pnpm typecheck` fails.
 */
const s = initServer();

describe('server handler types', () => {
  it('when a handler returns an undeclared status, then it does not compile', () => {
    const route = s.route(
      contract.metadata.getUserMetadata,
      // @ts-expect-error 418 is not a status of getUserMetadata
      async () => ({ status: 418, body: { code: 418, message: 'teapot' } }),
    );
    expectTypeOf(route).not.toBeAny();
  });

  it('when a handler returns a body of the wrong shape, then it does not compile', () => {
    const wrongKind = s.route(
      contract.metadata.getUserMetadata,
      // @ts-expect-error a kind must be an object
      async () => ({ status: 200, body: { public_metadata: 'admin' } }),
    );
    const wrongError = s.route(
      contract.users.getUser,
      // @ts-expect-error an error body needs code and message
      async () => ({ status: 404, body: { error: 'missing' } }),
    );
    const right = s.route(contract.metadata.getUserMetadata, async () => ({
      status: 200,
      body: { public_metadata: { role: 'admin' } },
    }));
    expectTypeOf(wrongKind).not.toBeAny();
    expectTypeOf(wrongError).not.toBeAny();
    expectTypeOf(right).not.toBeAny();
  });

  it('when a handler reads its input, then params and body are typed from the contract', () => {
    s.route(contract.metadata.patchUserMetadata, async ({ params, body }) => {
      expectTypeOf(params.id).toBeString();
      expectTypeOf(body).toEqualTypeOf<import('@usermeta/contract').UserMetadataPatch>();
      return { status: 204, body: undefined };
    });
  });
});
