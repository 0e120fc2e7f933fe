export type DiffLine = { op: 'same' | 'added' | 'removed'; text: string };

/**
 * A line diff (longest common subsequence) of two texts, for the before/after view.
 * Metadata is at most a few hundred lines per kind, so the quadratic table is small.
 */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.split('\n');
  const b = after === '' ? [] : after.split('\n');
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ op: 'same', text: a[i] ?? '' });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0)) {
      lines.push({ op: 'removed', text: a[i++] ?? '' });
    } else {
      lines.push({ op: 'added', text: b[j++] ?? '' });
    }
  }
  while (i < a.length) lines.push({ op: 'removed', text: a[i++] ?? '' });
  while (j < b.length) lines.push({ op: 'added', text: b[j++] ?? '' });
  return lines;
}
