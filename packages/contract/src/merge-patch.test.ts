import { describe, expect, it } from 'vitest';
import type { JsonValue } from './json.js';
import { applyMergePatch as mergePatch } from './merge-patch.js';

/** The cases of RFC 7386, Appendix A: original, patch, result. */
const RFC_7386_EXAMPLES: Array<[JsonValue, JsonValue, JsonValue]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [
    ['a', 'b'],
    ['c', 'd'],
    ['c', 'd'],
  ],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('mergePatch (RFC 7386)', () => {
  it.each(RFC_7386_EXAMPLES)('when %j is patched with %j, then it becomes %j', (original, patch, expected) => {
    expect(mergePatch(original, patch)).toEqual(expected);
  });

  it('when merging, then neither input is changed', () => {
    const original = { a: { b: 1 }, c: [1] };
    const patch = { a: { b: null, d: 2 }, c: [2] };
    const snapshot = JSON.stringify([original, patch]);
    mergePatch(original, patch);
    expect(JSON.stringify([original, patch])).toBe(snapshot);
  });

  it('when objects nest deeply, then they merge at every depth', () => {
    const original = { l1: { l2: { l3: { l4: { keep: 1, drop: 2 } } } } };
    const patch = { l1: { l2: { l3: { l4: { drop: null, add: 3 } } } } };
    expect(mergePatch(original, patch)).toEqual({ l1: { l2: { l3: { l4: { keep: 1, add: 3 } } } } });
  });

  it('when an array holds nulls, then it is stored exactly as sent', () => {
    expect(mergePatch({ a: [1] }, { a: [null, { b: null }] })).toEqual({ a: [null, { b: null }] });
  });

  it('when keys are __proto__, constructor or prototype, then they are plain data', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"prototype":1}');
    const merged = mergePatch({}, patch) as Record<string, JsonValue>;
    expect(Object.keys(merged)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(JSON.stringify(merged)).toBe(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"prototype":1}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const deleted = mergePatch(merged, JSON.parse('{"__proto__":null}'));
    expect(Object.keys(deleted as object)).toEqual(['constructor', 'prototype']);
  });
});
