import { describe, expect, it } from 'vitest';
import { ListUsersQuery } from './user-listing.js';

const messageOf = (query: unknown) => ListUsersQuery.safeParse(query).error?.issues[0]?.message;

describe('ListUsersQuery', () => {
  it('when nothing is given, then every parameter stays unset', () => {
    expect(ListUsersQuery.parse({})).toEqual({});
  });

  it('when given a limit, a cursor and filters as strings, then it parses them', () => {
    expect(
      ListUsersQuery.parse({
        limit: '100',
        cursor: 'abc_-1',
        public_metadata: '{"plan":"team"}',
        unsafe_metadata: '{}',
      }),
    ).toEqual({ limit: 100, cursor: 'abc_-1', public_metadata: { plan: 'team' }, unsafe_metadata: {} });
    expect(ListUsersQuery.parse({ limit: '1' }).limit).toBe(1);
    expect(ListUsersQuery.parse({ limit: '007' }).limit).toBe(7);
  });

  it('when the limit is not a whole number from 1 to 100, then it says invalid limit', () => {
    for (const limit of ['0', '101', '-1', '+5', '1.5', '1e2', ' 5', '', 'ten', '99999999999', ['5', '6']]) {
      expect(messageOf({ limit }), String(limit)).toBe('invalid limit');
    }
  });

  it('when the cursor is empty, repeated or has characters no cursor has, then it says invalid cursor', () => {
    for (const cursor of ['', 'a b', 'a+b', 'x'.repeat(201), ['a', 'b']]) {
      expect(messageOf({ cursor }), String(cursor)).toBe('invalid cursor');
    }
  });

  it('when a filter is not the JSON text of an object, then it names the kind', () => {
    for (const value of ['', 'x', '[]', '[{"a":1}]', 'null', '1', '"s"', 'true', '{"a":1', '{"a":1}x', ['{}', '{}']]) {
      expect(messageOf({ private_metadata: value }), String(value)).toBe(
        'private_metadata filter must be a JSON object',
      );
    }
    expect(messageOf({ public_metadata: '[]' })).toBe('public_metadata filter must be a JSON object');
    expect(messageOf({ unsafe_metadata: '1' })).toBe('unsafe_metadata filter must be a JSON object');
  });

  it('when a parameter is not declared, then it names it', () => {
    expect(messageOf({ lmit: '5' })).toBe('unknown query parameter: lmit');
    expect(messageOf({ public_metadata: '{}', metadata: '{}' })).toBe('unknown query parameter: metadata');
  });

  it('when several parameters are wrong, then the first in the order limit, cursor, filters, unknown is named', () => {
    expect(messageOf({ zzz: '1', unsafe_metadata: 'x', cursor: ' ', limit: '0' })).toBe('invalid limit');
    expect(messageOf({ zzz: '1', unsafe_metadata: 'x', cursor: ' ' })).toBe('invalid cursor');
    expect(messageOf({ zzz: '1', unsafe_metadata: 'x', public_metadata: '[]' })).toBe(
      'public_metadata filter must be a JSON object',
    );
    expect(messageOf({ zzz: '1', unsafe_metadata: 'x' })).toBe('unsafe_metadata filter must be a JSON object');
  });

  it('when a filter holds a __proto__ key, then it stays plain data', () => {
    const parsed = ListUsersQuery.parse({ public_metadata: '{"__proto__":{"admin":true}}' });
    expect(Object.keys(parsed.public_metadata ?? {})).toEqual(['__proto__']);
  });
});
