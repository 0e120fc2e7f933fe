import { isJsonObject, type JsonObject, type JsonValue } from '@usermeta/contract';

/**
 * Sets an own, enumerable property even for the key `__proto__`, which plain assignment would
 * treat as the prototype setter instead of as data (metadata keys are user data).
 */
function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** RFC 7386 JSON Merge Patch, without touching its inputs (the same rules as the server). */
export function applyMergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = {};
  if (isJsonObject(target)) {
    for (const key of Object.keys(target)) setOwn(result, key, target[key] as JsonValue);
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    if (value === null) delete result[key];
    else setOwn(result, key, applyMergePatch(Object.hasOwn(result, key) ? result[key] : undefined, value));
  }
  return result;
}

/** Deep equality of JSON values (object key order ignored, array order kept). */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i] as JsonValue));
  }
  if (isJsonObject(a)) {
    if (!isJsonObject(b)) return false;
    const keys = Object.keys(a);
    return (
      keys.length === Object.keys(b).length &&
      keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key] as JsonValue))
    );
  }
  return false;
}

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
