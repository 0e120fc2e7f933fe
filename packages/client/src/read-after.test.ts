import { describe, expect, it } from 'vitest';
import { ReadAfterTracker } from './read-after.js';

const answer = (token?: string) => new Headers(token === undefined ? {} : { 'usermeta-read-after': token });

describe('ReadAfterTracker', () => {
  it('when nothing carried a token, then it sends nothing', () => {
    const tracker = new ReadAfterTracker();
    tracker.observe(answer());
    expect(tracker.current()).toBeUndefined();
    expect(tracker.headers()).toEqual({});
  });

  it('when tokens arrive out of order, then it keeps the highest WAL position, compared as numbers', () => {
    const tracker = new ReadAfterTracker();
    for (const token of ['0/9', '0/10', '0/FF', '1/0', '0/FFFFFFFF', '0/A']) tracker.observe(answer(token));
    expect(tracker.current()).toBe('1/0');
    expect(tracker.headers()).toEqual({ 'usermeta-read-after': '1/0' });
  });

  it('when an answer carries something that is not a WAL position, then it is ignored', () => {
    const tracker = new ReadAfterTracker();
    tracker.observe(answer('0/16B3748'));
    for (const junk of ['', 'latest', '1/2/3', 'FFFFFFFFF/0', '-1/0']) tracker.observe(answer(junk));
    expect(tracker.current()).toBe('0/16B3748');
  });
});
