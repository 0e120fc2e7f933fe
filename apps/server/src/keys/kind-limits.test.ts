import { describe, expect, it } from 'vitest';
import { mayPatch, mayUseKinds, seesAnyKind, visibleKinds } from './kind-limits.js';

const all = { kinds: undefined };
const publicOnly = { kinds: ['public_metadata'] as const };
const publicAndUnsafe = { kinds: ['unsafe_metadata', 'public_metadata'] as const };
const full = { public_metadata: { a: 1 }, private_metadata: { b: 2 }, unsafe_metadata: { c: 3 } };

describe('visibleKinds', () => {
  it('when the key has no kind limit, then the very same metadata comes back', () => {
    expect(visibleKinds(all, full)).toBe(full);
    expect(visibleKinds(all, undefined)).toBeUndefined();
  });

  it('when the key is limited, then other kinds are left out, in the order public, private, unsafe', () => {
    expect(visibleKinds(publicOnly, full)).toEqual({ public_metadata: { a: 1 } });
    const both = visibleKinds(publicAndUnsafe, full);
    expect(Object.keys(both ?? {})).toEqual(['public_metadata', 'unsafe_metadata']);
  });

  it('when nothing the key may see is present, then undefined (204, or no metadata field)', () => {
    expect(visibleKinds(publicOnly, { private_metadata: { b: 2 } })).toBeUndefined();
    expect(visibleKinds(publicOnly, undefined)).toBeUndefined();
  });
});

describe('mayUseKinds and seesAnyKind', () => {
  it('when a filter names only allowed kinds, then it may be used; any other kind, then not', () => {
    expect(mayUseKinds(publicOnly, ['public_metadata'])).toBe(true);
    expect(mayUseKinds(publicOnly, [])).toBe(true);
    expect(mayUseKinds(publicOnly, ['public_metadata', 'private_metadata'])).toBe(false);
    expect(mayUseKinds(all, ['private_metadata'])).toBe(true);
  });

  it('when a change touched only hidden kinds, then the key does not see it', () => {
    expect(seesAnyKind(publicOnly, ['private_metadata', 'unsafe_metadata'])).toBe(false);
    expect(seesAnyKind(publicOnly, ['private_metadata', 'public_metadata'])).toBe(true);
    expect(seesAnyKind(all, ['private_metadata'])).toBe(true);
  });
});

describe('mayPatch', () => {
  it('when the patch touches only allowed kinds, or sends {} for others, then it may', () => {
    expect(mayPatch(publicOnly, { public_metadata: { a: null } })).toBe(true);
    expect(mayPatch(publicOnly, { public_metadata: null, private_metadata: {}, unsafe_metadata: {} })).toBe(true);
    expect(mayPatch(publicOnly, {})).toBe(true);
  });

  it('when the body is null, or another kind has any value but {}, then it may not', () => {
    expect(mayPatch(publicOnly, null)).toBe(false);
    expect(mayPatch(publicOnly, { private_metadata: null })).toBe(false);
    expect(mayPatch(publicOnly, { unsafe_metadata: { x: 1 } })).toBe(false);
    expect(mayPatch(publicOnly, { public_metadata: { a: 1 }, private_metadata: { b: null } })).toBe(false);
  });

  it('when the key has no kind limit, then every patch may', () => {
    expect(mayPatch(all, null)).toBe(true);
    expect(mayPatch(all, { private_metadata: null })).toBe(true);
  });
});
