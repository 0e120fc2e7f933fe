import { describe, expect, it } from 'vitest';
import { parseFilter } from './filter.js';

describe('parseFilter', () => {
  it('when the box holds a JSON object, then it filters the chosen kind', () => {
    expect(parseFilter('private_metadata', ' {"plan":{"tier":2}} ')).toEqual({
      ok: true,
      filter: { private_metadata: { plan: { tier: 2 } } },
    });
  });

  it('when the box holds key=value shortcuts, then values read as JSON where they can and dots nest', () => {
    expect(parseFilter('public_metadata', 'role=admin level=3 beta=true tags=["a"] address.city="New York"')).toEqual({
      ok: true,
      filter: { public_metadata: { role: 'admin', level: 3, beta: true, tags: ['a'], address: { city: 'New York' } } },
    });
  });

  it('when a shortcut names its kind, then it goes to that kind', () => {
    expect(parseFilter('public_metadata', 'role=admin, private.plan=pro unsafe_metadata.theme=dark')).toEqual({
      ok: true,
      filter: {
        public_metadata: { role: 'admin' },
        private_metadata: { plan: 'pro' },
        unsafe_metadata: { theme: 'dark' },
      },
    });
  });

  it('when the box is empty, then there is no filter', () => {
    expect(parseFilter('public_metadata', '  ')).toEqual({ ok: true, filter: {} });
    expect(parseFilter('public_metadata', '{}')).toEqual({ ok: true, filter: {} });
  });

  it('when the box cannot be read, then it says why', () => {
    expect(parseFilter('public_metadata', '{"a":')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid JSON/),
    });
    expect(parseFilter('public_metadata', 'role')).toEqual({ ok: false, error: '“role” is not key=value' });
    expect(parseFilter('public_metadata', 'a=1 a.b=2')).toEqual({ ok: false, error: 'a is given twice' });
  });
});
