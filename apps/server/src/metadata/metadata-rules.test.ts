import { describe, expect, it } from 'vitest';
import {
  applyPatch,
  checkLimits,
  compactJsonLength,
  EMPTY_METADATA,
  findUnstorable,
  type StoredMetadata,
  toUserMetadata,
  validatePatch,
} from './metadata-rules.js';

const stored = (m: Partial<StoredMetadata>): StoredMetadata => ({ ...EMPTY_METADATA, ...m });

/** A kind whose compact JSON is exactly `length` code points, padded with `char`. */
function kindOfLength(length: number, char = 'a') {
  const overhead = '{"k":""}'.length;
  return { k: char.repeat(length - overhead) };
}

describe('applyPatch', () => {
  it('when the body is null, then all three kinds are cleared', () => {
    expect(applyPatch(stored({ public_metadata: { a: 1 }, unsafe_metadata: { b: 2 } }), null)).toEqual(EMPTY_METADATA);
  });

  it('when a kind is null, then only that kind is cleared', () => {
    const next = applyPatch(stored({ public_metadata: { a: 1 }, private_metadata: { b: 2 } }), {
      private_metadata: null,
    });
    expect(next).toEqual(stored({ public_metadata: { a: 1 } }));
  });

  it('when a kind is {} or left out, then it does not change', () => {
    const current = stored({ public_metadata: { a: 1 }, private_metadata: { b: 2 } });
    expect(applyPatch(current, { public_metadata: {} })).toEqual(current);
    expect(applyPatch(current, {})).toEqual(current);
  });

  it('when a merge leaves a kind empty, then it becomes absent', () => {
    expect(applyPatch(stored({ public_metadata: { a: 1 } }), { public_metadata: { a: null } })).toEqual(EMPTY_METADATA);
    expect(applyPatch(EMPTY_METADATA, { unsafe_metadata: {} })).toEqual(EMPTY_METADATA);
  });
});

describe('validatePatch', () => {
  const nested = (depth: number) => {
    let value: Record<string, unknown> = { leaf: 1 };
    for (let i = 1; i < depth; i++) value = { n: value };
    return value;
  };

  it('when a kind nests 64 levels, then it is accepted; at 65, then it is too deep', () => {
    expect(findUnstorable(nested(64) as never)).toBeUndefined();
    expect(findUnstorable(nested(65) as never)).toBe('metadata nesting too deep');
  });

  it('when arrays count toward the depth, then 65 levels of arrays are too deep', () => {
    let value: unknown = 1;
    for (let i = 0; i < 64; i++) value = [value];
    expect(findUnstorable({ a: value } as never)).toBe('metadata nesting too deep');
  });

  it('when nesting is far deeper than any stack, then it still answers', () => {
    let value: unknown = 1;
    for (let i = 0; i < 200_000; i++) value = [value];
    expect(findUnstorable({ a: value } as never)).toBe('metadata nesting too deep');
  });

  it('when a string or key holds NUL or a lone surrogate, then it is refused', () => {
    const message = 'metadata must not contain NUL characters or unpaired surrogates';
    expect(validatePatch({ public_metadata: { a: 'x\u0000y' } })).toBe(message);
    expect(validatePatch({ private_metadata: { 'k\u0000': 1 } })).toBe(message);
    expect(validatePatch({ unsafe_metadata: { a: ['\udc00'] } })).toBe(message);
    expect(validatePatch({ unsafe_metadata: { a: 'end\ud800' } })).toBe(message);
    expect(validatePatch({ public_metadata: { a: '😀 paired is fine' } })).toBeUndefined();
  });

  it('when a number is beyond the double range, then it is invalid json', () => {
    expect(validatePatch({ public_metadata: { a: Number.POSITIVE_INFINITY } })).toBe('invalid json');
  });
});

describe('limits', () => {
  it('when a kind is exactly 3000 code points, then it fits; at 3001, then it does not', () => {
    expect(compactJsonLength(kindOfLength(3000))).toBe(3000);
    expect(checkLimits(stored({ public_metadata: kindOfLength(3000) }))).toBeUndefined();
    expect(checkLimits(stored({ public_metadata: kindOfLength(3001) }))).toBe(
      'metadata limit exceeded: public metadata must not exceed 3000 characters',
    );
  });

  it('when characters take 4 bytes, then each still counts as one', () => {
    const emoji = { k: '😀'.repeat(3000 - 8) };
    expect(compactJsonLength(emoji)).toBe(3000);
    expect(checkLimits(stored({ private_metadata: emoji }))).toBeUndefined();
  });

  it('when several kinds are over, then one prefix and the clauses in kind order', () => {
    expect(checkLimits(stored({ unsafe_metadata: kindOfLength(3001), public_metadata: kindOfLength(4000) }))).toBe(
      'metadata limit exceeded: public metadata must not exceed 3000 characters, unsafe metadata must not exceed 3000 characters',
    );
  });
});

describe('toUserMetadata', () => {
  it('when kinds are absent, then they are left out, and no kind at all is undefined', () => {
    expect(toUserMetadata(stored({ unsafe_metadata: { a: 1 } }))).toEqual({ unsafe_metadata: { a: 1 } });
    expect(toUserMetadata(EMPTY_METADATA)).toBeUndefined();
  });
});
