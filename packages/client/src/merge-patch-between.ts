import { isJsonObject, type JsonObject, type JsonValue, jsonEqual, setOwn } from '@usermeta/contract';

/**
 * The RFC 7386 merge patch that turns `a` into `b`: applying it to `a` gives `b`. Pure.
 *
 * - Between two objects: a member only in `a` becomes `null` (delete); a member new or changed
 *   in `b` is sent, objects on both sides as their own (recursive) patch, so concurrent
 *   changes to other members are not touched; members equal on both sides are left out.
 * - Anything else (arrays, scalars, a kind that appears or vanishes) is replaced wholesale:
 *   arrays are compared and sent whole, as merge patch has no way to patch inside one.
 * - `a` and `b` equal → `{}` (nothing to do) when both are objects.
 *
 * Merge patch cannot say "set this member to null": a `null` member of an object in `b` is
 * sent as a delete (and so is an `undefined` one, which JSON cannot carry), so the result has
 * that member absent (which is also how the server stores it). `null` inside arrays is kept.
 */
export function mergePatchBetween(a: JsonValue | undefined, b: JsonValue): JsonValue {
  if (!isJsonObject(b)) return b;
  if (!isJsonObject(a)) return diffObjects({}, b);
  return diffObjects(a, b);
}

function diffObjects(a: JsonObject, b: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(a)) {
    if (!Object.hasOwn(b, key)) setOwn(patch, key, null);
  }
  for (const key of Object.keys(b)) {
    const after = b[key] as JsonValue | undefined;
    const had = Object.hasOwn(a, key);
    const before = had ? (a[key] as JsonValue) : undefined;
    // `undefined` (`{ ...m, tags: undefined }`) is no JSON value: like an absent member, a delete.
    if (after === null || after === undefined) {
      if (had) setOwn(patch, key, null);
      continue;
    }
    if (isJsonObject(after)) {
      // Applying an object patch to a non-object starts from {}: diff against {} sends it whole.
      const inner = diffObjects(isJsonObject(before) ? before : {}, after);
      if (isJsonObject(before) && Object.keys(inner).length === 0) continue;
      setOwn(patch, key, inner);
      continue;
    }
    if (had && before !== undefined && jsonEqual(before, after)) continue;
    setOwn(patch, key, after);
  }
  return patch;
}
