import type { JsonObject } from '@usermeta/contract';
import { describe, expect, it } from 'vitest';
import { applyMergePatch, compactLength, createMergePatch, jsonEqual } from './merge-patch.js';

describe('createMergePatch', () => {
  it('when keys are removed, changed and added, then the patch nulls, replaces and adds only those', () => {
    const before = { keep: 1, drop: 2, change: 'a', nested: { x: 1, y: 2 }, list: [1, 2] };
    const after = { keep: 1, change: 'b', nested: { x: 1, z: 3 }, list: [1, 2, 3], added: true };
    expect(createMergePatch(before, after)).toEqual({
      drop: null,
      change: 'b',
      nested: { y: null, z: 3 },
      list: [1, 2, 3],
      added: true,
    });
  });

  it('when an object becomes a scalar or the other way round, then the new value is sent whole', () => {
    expect(createMergePatch({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 });
    expect(createMergePatch({ a: 5 }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it('when applied to before, then the patch gives after, for a key named __proto__ too', () => {
    const before = JSON.parse('{"__proto__":{"a":1},"b":[1]}') as JsonObject;
    const after = JSON.parse('{"__proto__":{"a":2},"c":{"d":"e"}}') as JsonObject;
    const patch = createMergePatch(before, after);
    expect(Object.hasOwn(patch, '__proto__')).toBe(true);
    expect(jsonEqual(applyMergePatch(before, patch), after)).toBe(true);
    expect(Object.getPrototypeOf(applyMergePatch(before, patch))).toBe(Object.prototype);
  });

  it('when nothing changed, then the patch is empty', () => {
    expect(createMergePatch({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual({});
  });
});

describe('jsonEqual', () => {
  it('when only the key order differs, then the values are equal; array order matters', () => {
    expect(jsonEqual({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: null }, {})).toBe(false);
  });
});

describe('compactLength', () => {
  it('when the text has characters outside the BMP, then each counts once', () => {
    expect(compactLength({ a: '😀' })).toBe('{"a":"x"}'.length);
    expect(compactLength({ a: 'é' })).toBe(9);
    expect(compactLength(undefined)).toBe(0);
  });
});
