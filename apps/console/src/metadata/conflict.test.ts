import { describe, expect, it } from 'vitest';
import { conflictKinds, reapplied } from './conflict.js';

describe('a 412 conflict', () => {
  const conflict = {
    base: { public_metadata: { tags: ['a'], role: 'user' } },
    theirs: { public_metadata: { tags: ['a', 'b'], role: 'user' }, private_metadata: { note: 'x' } },
    theirsEtag: '"7"',
    mine: { public_metadata: { role: 'admin' }, unsafe_metadata: { theme: 'dark' } },
  };

  it('when both sides changed, then each kind says who changed it', () => {
    expect(conflictKinds(conflict)).toEqual([
      { kind: 'public_metadata', theyChanged: true, iChanged: true },
      { kind: 'private_metadata', theyChanged: true, iChanged: false },
      { kind: 'unsafe_metadata', theyChanged: false, iChanged: true },
    ]);
  });

  it('when my patch is re-applied, then it merges onto theirs and keeps their changes', () => {
    expect(reapplied(conflict)).toEqual({
      public_metadata: { tags: ['a', 'b'], role: 'admin' },
      private_metadata: { note: 'x' },
      unsafe_metadata: { theme: 'dark' },
    });
  });
});
