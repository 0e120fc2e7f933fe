import { describe, expect, it } from 'vitest';
import { CreateUserBody, UserId, UserMetadata, UserMetadataPatch } from './schemas.js';

describe('UserId', () => {
  it('when given a canonical UUID in either case, then it accepts it', () => {
    expect(UserId.safeParse('e6c19cfb-09a2-41e5-a908-e33193b7ca0a').success).toBe(true);
    expect(UserId.safeParse('E6C19CFB-09A2-41E5-A908-E33193B7CA0A').success).toBe(true);
  });

  it('when given anything else, then it says invalid user id', () => {
    for (const id of ['', 'x', 'e6c19cfb09a241e5a908e33193b7ca0a', '{e6c19cfb-09a2-41e5-a908-e33193b7ca0a}']) {
      const result = UserId.safeParse(id);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toBe('invalid user id');
    }
  });
});

describe('UserMetadataPatch', () => {
  const messageOf = (value: unknown) => UserMetadataPatch.safeParse(value).error?.issues[0]?.message;

  it('when the top level is not an object or null, then it names that', () => {
    for (const value of [[], 1, 'x', true]) expect(messageOf(value)).toBe('patch metadata must be null or object');
  });

  it('when a kind is not an object or null, then it names the first failing kind', () => {
    expect(messageOf({ public_metadata: [] })).toBe('public_metadata must be an object or null');
    expect(messageOf({ private_metadata: 'x', unsafe_metadata: 1 })).toBe('private_metadata must be an object or null');
    expect(messageOf({ unsafe_metadata: 1, public_metadata: 2 })).toBe('public_metadata must be an object or null');
  });

  it('when other top-level keys are sent, then they are dropped', () => {
    expect(UserMetadataPatch.parse({ other: 1, public_metadata: { a: 1 } })).toEqual({ public_metadata: { a: 1 } });
  });

  it('when a kind holds a __proto__ key, then it survives parsing as plain data', () => {
    const parsed = UserMetadataPatch.parse(JSON.parse('{"public_metadata":{"__proto__":{"admin":true}}}'));
    expect(Object.keys(parsed?.public_metadata ?? {})).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });
});

describe('UserMetadata', () => {
  it('when parsed, then the kinds come out in the order public, private, unsafe', () => {
    const parsed = UserMetadata.parse({
      unsafe_metadata: { c: 1 },
      public_metadata: { a: 1 },
      private_metadata: { b: 1 },
    });
    expect(Object.keys(parsed)).toEqual(['public_metadata', 'private_metadata', 'unsafe_metadata']);
  });
});

describe('CreateUserBody', () => {
  it('when the body is left out or has no id, then it is accepted', () => {
    expect(CreateUserBody.safeParse(undefined).success).toBe(true);
    expect(CreateUserBody.safeParse({}).success).toBe(true);
  });

  it('when the id is malformed or the body is not an object, then it says why', () => {
    expect(CreateUserBody.safeParse({ id: 'x' }).error?.issues[0]?.message).toBe('invalid user id');
    expect(CreateUserBody.safeParse([]).error?.issues[0]?.message).toBe('request body must be an object');
  });
});
