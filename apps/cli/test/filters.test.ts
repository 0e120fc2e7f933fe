import { describe, expect, it } from 'vitest';
import { filterFromPairs } from '../src/filters.js';
import { InputError } from '../src/read-json.js';

describe('filterFromPairs', () => {
  it('when no pair is given, then there is no filter', () => {
    expect(filterFromPairs([], '--public')).toBeUndefined();
  });

  it('when values parse as JSON, then they keep their JSON type; otherwise they are strings', () => {
    expect(
      filterFromPairs(
        ['plan=team', 'seats=5', 'beta=true', 'tags=["a"]', 'x={"y":null}', 'code="007"', 'e='],
        '--public',
      ),
    ).toEqual({ plan: 'team', seats: 5, beta: true, tags: ['a'], x: { y: null }, code: '007', e: '' });
  });

  it('when the key is dotted, then it reaches into nested objects, and pairs merge', () => {
    expect(filterFromPairs(['profile.lang=en', 'profile.tz=UTC', 'a.b.c=1', 'url=http://x/?q=1'], '--private')).toEqual(
      {
        profile: { lang: 'en', tz: 'UTC' },
        a: { b: { c: 1 } },
        url: 'http://x/?q=1',
      },
    );
  });

  it('when a key is __proto__, then it is plain data', () => {
    const filter = filterFromPairs(['__proto__.admin=true'], '--public');
    expect(JSON.stringify(filter)).toBe('{"__proto__":{"admin":true}}');
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it('when a pair has no = or an empty key segment, then it is an input error naming the option', () => {
    for (const pair of ['plan', '=team', 'a..b=1', '.a=1']) {
      expect(() => filterFromPairs([pair], '--unsafe')).toThrow(InputError);
      expect(() => filterFromPairs([pair], '--unsafe')).toThrow(/--unsafe takes key=value/);
    }
  });
});
