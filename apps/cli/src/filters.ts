import type { JsonObject, JsonValue } from '@usermeta/client';
import { InputError } from './read-json.js';

/**
 * `key=value` pairs of the `users list` filter options, made into one JSON object per kind.
 *
 * - The key is a dotted path: `profile.lang=en` → `{"profile":{"lang":"en"}}` (so nested
 *   objects can be matched partially). Several pairs of one kind merge into one object.
 * - The value is JSON when it parses as JSON, otherwise the text as a string: `plan=team` →
 *   `"team"`, `seats=5` → `5`, `beta=true` → `true`, `tags=["a"]` → `["a"]` (an array matches
 *   when it holds the given elements). Quote to force a string: `code='"007"'` → `"007"`.
 */
export function filterFromPairs(pairs: readonly string[], option: string): JsonObject | undefined {
  if (pairs.length === 0) return undefined;
  const filter: JsonObject = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    const path = equals < 0 ? [] : pair.slice(0, equals).split('.');
    if (path.length === 0 || path.some((segment) => segment === '')) {
      throw new InputError(`${option} takes key=value (a dotted key for nested objects), not ${JSON.stringify(pair)}`);
    }
    setPath(filter, path, parseValue(pair.slice(equals + 1)));
  }
  return filter;
}

function parseValue(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

function setPath(target: JsonObject, path: string[], value: JsonValue): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const next = Object.hasOwn(node, segment) ? node[segment] : undefined;
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) {
      node = next;
    } else {
      const created: JsonObject = {};
      Object.defineProperty(node, segment, { value: created, enumerable: true, writable: true, configurable: true });
      node = created;
    }
  }
  const last = path.at(-1) as string;
  // defineProperty, so that a key such as __proto__ is plain data, as it is on the wire.
  Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
}
