import { describe, expect, it } from 'vitest';
import { diffLines } from './line-diff.js';

describe('diffLines', () => {
  it('when a line changes in the middle, then it is one removal and one addition among kept lines', () => {
    expect(diffLines('a\nb\nc', 'a\nB\nc')).toEqual([
      { op: 'same', text: 'a' },
      { op: 'removed', text: 'b' },
      { op: 'added', text: 'B' },
      { op: 'same', text: 'c' },
    ]);
  });

  it('when one side is empty, then every line of the other is added or removed', () => {
    expect(diffLines('', 'x\ny').map((l) => l.op)).toEqual(['added', 'added']);
    expect(diffLines('x', '').map((l) => l.op)).toEqual(['removed']);
  });
});
