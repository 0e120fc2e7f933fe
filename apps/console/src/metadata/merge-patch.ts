import { isJsonObject, type JsonObject, type JsonValue, jsonEqual, setOwn } from '@usermeta/contract';

/** The same RFC 7386 rules and JSON equality as the server (from the contract package). */
export { applyMergePatch, jsonEqual } from '@usermeta/contract';

/**
 * The smallest merge patch that turns `before` into `after`: removed keys become `null`,
 * objects on both sides are diffed recursively, anything else that changed is sent whole
 * (arrays cannot be patched, only replaced). Unchanged keys are left out.
 */
export function createMergePatch(before: JsonObject, after: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) setOwn(patch, key, null);
  }
  for (const key of Object.keys(after)) {
    const next = after[key] as JsonValue;
    const previous = Object.hasOwn(before, key) ? before[key] : undefined;
    if (previous !== undefined && jsonEqual(previous, next)) continue;
    if (isJsonObject(previous) && isJsonObject(next)) setOwn(patch, key, createMergePatch(previous, next));
    else setOwn(patch, key, next);
  }
  return patch;
}

/** Length in Unicode code points of the compact JSON text: what the 3000-character limit counts. */
export function compactLength(value: JsonValue | undefined): number {
  if (value === undefined) return 0;
  let length = 0;
  for (const _ of JSON.stringify(value)) length++;
  return length;
}
