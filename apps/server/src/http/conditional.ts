/**
 * The entity-tag conditions of RFC 9110 §13.1.1 (If-Match) and §13.1.2 (If-None-Match).
 *
 * A field is `*` or a comma-separated list of entity-tags, each `"opaque"` or `W/"opaque"`;
 * a comma may sit inside the quotes, and empty list elements are allowed. Several field lines
 * arrive joined with `, ` (Node does that), which is the same list.
 */

type EntityTag = { weak: boolean; opaque: string };
type Condition = { any: true } | { any: false; tags: EntityTag[] } | { invalid: true };

/** One entity-tag (etagc: %x21 / %x23-7E / obs-text), then a comma or the end. */
const ELEMENT = /[ \t]*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"[ \t]*(?:,|$)/y;
const EMPTY_ELEMENT = /[ \t]*,/y;

function parse(field: string): Condition {
  if (field.trim() === '*') return { any: true };
  const tags: EntityTag[] = [];
  let at = 0;
  while (at < field.length) {
    EMPTY_ELEMENT.lastIndex = at;
    if (EMPTY_ELEMENT.test(field)) {
      at = EMPTY_ELEMENT.lastIndex;
      continue;
    }
    ELEMENT.lastIndex = at;
    const match = ELEMENT.exec(field);
    if (!match) {
      if (field.slice(at).trim() === '') break;
      return { invalid: true };
    }
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? '' });
    at = ELEMENT.lastIndex;
  }
  return tags.length > 0 ? { any: false, tags } : { invalid: true };
}

/** The opaque part of one of our (strong) ETags: `"abc"` → `abc`. */
const opaqueOf = (etag: string) => etag.slice(1, -1);

/**
 * If-Match: true when the request may proceed. `*` passes (the caller has a current
 * representation); otherwise one listed tag must be strongly equal to `current` (a weak tag
 * never is). A field that is not a valid list cannot name the current tag, so it fails.
 */
export function ifMatchPasses(field: string, current: string): boolean {
  const condition = parse(field);
  if ('invalid' in condition) return false;
  if (condition.any) return true;
  const opaque = opaqueOf(current);
  return condition.tags.some((tag) => !tag.weak && tag.opaque === opaque);
}

/**
 * The opaque parts of the entity-tags an If-None-Match or If-Match field lists (`W/` dropped);
 * `*` for `*`, and undefined for a field that is not a valid list.
 */
export function listedTags(field: string): string[] | '*' | undefined {
  const condition = parse(field);
  if ('invalid' in condition) return undefined;
  return condition.any ? '*' : condition.tags.map((tag) => tag.opaque);
}

/**
 * If-None-Match: true when a listed tag is weakly equal to `current` (the `W/` is ignored), or
 * the field is `*`: then a GET answers 304. A field that is not a valid list matches nothing.
 */
export function ifNoneMatchMatches(field: string, current: string): boolean {
  const condition = parse(field);
  if ('invalid' in condition) return false;
  if (condition.any) return true;
  const opaque = opaqueOf(current);
  return condition.tags.some((tag) => tag.opaque === opaque);
}
