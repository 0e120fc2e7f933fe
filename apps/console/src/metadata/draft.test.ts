import { describe, expect, it } from 'vitest';
import { applyPatch, parseKind, planSave } from './draft.js';

describe('parseKind', () => {
  it('when the text is empty, then the kind is an empty object', () => {
    expect(parseKind('  ')).toEqual({ ok: true, value: {} });
  });

  it('when the text is not JSON or not an object, then it says why', () => {
    expect(parseKind('{"a":')).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid JSON: /) });
    expect(parseKind('[1]')).toEqual({ ok: false, error: 'must be a JSON object' });
  });

  it('when the JSON nests deeper than the API stores (64), then it says so; thousands deep does not throw', () => {
    const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
    expect(parseKind(nested(64))).toMatchObject({ ok: true });
    expect(parseKind(nested(65))).toEqual({ ok: false, error: 'nesting too deep (more than 64 levels)' });
    expect(parseKind(nested(8000))).toEqual({ ok: false, error: 'nesting too deep (more than 64 levels)' });
  });
});

describe('planSave', () => {
  const base = { public_metadata: { role: 'user', tags: ['a'] }, private_metadata: { note: 'x' } };

  it('when nothing is edited, then the patch is empty', () => {
    const plan = planSave(base, {
      public_metadata: { tags: ['a'], role: 'user' },
      private_metadata: { note: 'x' },
      unsafe_metadata: {},
    });
    expect(plan.patch).toEqual({});
    expect(plan.changes).toEqual([]);
  });

  it('when a kind is edited, emptied and added, then the patch merges, clears and creates', () => {
    const plan = planSave(base, {
      public_metadata: { role: 'admin', tags: ['a'] },
      private_metadata: {},
      unsafe_metadata: { theme: 'dark' },
    });
    expect(plan.patch).toEqual({
      public_metadata: { role: 'admin' },
      private_metadata: null,
      unsafe_metadata: { theme: 'dark' },
    });
    expect(plan.changes.map((c) => [c.kind, c.after])).toEqual([
      ['public_metadata', { role: 'admin', tags: ['a'] }],
      ['private_metadata', undefined],
      ['unsafe_metadata', { theme: 'dark' }],
    ]);
    expect(plan.lengths).toEqual({ public_metadata: 29, private_metadata: 0, unsafe_metadata: 16 });
    expect(applyPatch(base, plan.patch)).toEqual({
      public_metadata: { role: 'admin', tags: ['a'] },
      unsafe_metadata: { theme: 'dark' },
    });
  });

  it('when an edited object has a null member, then it is reported and becomes a deletion', () => {
    const plan = planSave(base, {
      public_metadata: { role: null, tags: ['a'] },
      private_metadata: { note: 'x' },
      unsafe_metadata: { a: null },
    });
    expect(plan.nullMembers).toEqual(['public_metadata', 'unsafe_metadata']);
    expect(plan.patch).toEqual({ public_metadata: { role: null } });
    expect(plan.changes[0]?.after).toEqual({ tags: ['a'] });
  });
});
