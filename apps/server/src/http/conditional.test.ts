import { describe, expect, it } from 'vitest';
import { ifMatchPasses, ifNoneMatchMatches } from './conditional.js';

const current = '"7.3"';

describe('If-Match (strong comparison)', () => {
  it('when the field names the current tag, alone or in a list, then it passes', () => {
    for (const field of ['"7.3"', '"1.1", "7.3"', '"7.3","x"', ' "a" ,, "7.3" ', '"a",\t"7.3"']) {
      expect(ifMatchPasses(field, current), field).toBe(true);
    }
  });

  it('when the field is *, then it passes whatever the current tag', () => {
    expect(ifMatchPasses('*', current)).toBe(true);
    expect(ifMatchPasses(' * ', current)).toBe(true);
  });

  it('when the tag is weak, another one, or unquoted, then it fails', () => {
    for (const field of ['W/"7.3"', '"7.2"', '"7.3 "', '7.3', '"7.30"', '"x", W/"7.3"', 'w/"7.3"']) {
      expect(ifMatchPasses(field, current), field).toBe(false);
    }
  });

  it('when the field is not a valid list, then it fails even if the tag appears in it', () => {
    for (const field of ['', ' ', ',', '"7.3" junk', '"7.3", *', '"7.3"x', '"7.3', '*, "7.3"']) {
      expect(ifMatchPasses(field, current), JSON.stringify(field)).toBe(false);
    }
  });

  it('when a comma sits inside the quotes, then it is part of the tag, not a separator', () => {
    expect(ifMatchPasses('"a,b"', '"a,b"')).toBe(true);
    expect(ifMatchPasses('"a,b"', '"a"')).toBe(false);
  });
});

describe('If-None-Match (weak comparison)', () => {
  it('when the field names the current tag, weak or strong, alone or in a list, then it matches', () => {
    for (const field of ['"7.3"', 'W/"7.3"', '"x", W/"7.3"', '"x",,"7.3"']) {
      expect(ifNoneMatchMatches(field, current), field).toBe(true);
    }
  });

  it('when the field is *, then it matches', () => {
    expect(ifNoneMatchMatches('*', current)).toBe(true);
  });

  it('when the field names other tags or is not a valid list, then it does not match', () => {
    for (const field of ['"7.2"', 'W/"7.4", "8.3"', '', '7.3', '"7.3" junk', '"7.3', 'W/ "7.3"']) {
      expect(ifNoneMatchMatches(field, current), JSON.stringify(field)).toBe(false);
    }
  });
});
