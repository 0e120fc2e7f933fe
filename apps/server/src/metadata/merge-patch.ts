import { isJsonObject, type JsonObject, type JsonValue } from '@usermeta/contract';

/**
 * Sets an own, enumerable property even for the key `__proto__`, which plain assignment
 * would treat as the prototype setter instead of as data.
 */
export function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/**
 * RFC 7386 JSON Merge Patch, without touching its inputs: objects merge recursively,
 * a `null` member deletes its key, anything else (arrays included) replaces.
 */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const result: JsonObject = {};
  if (isJsonObject(target)) {
    for (const key of Object.keys(target)) setOwn(result, key, target[key] as JsonValue);
  }
  for (const key of Object.keys(patch)) {
    const value = patch[key] as JsonValue;
    if (value === null) {
      delete result[key];
    } else {
      const current = Object.hasOwn(result, key) ? result[key] : undefined;
      setOwn(result, key, mergePatch(current, value));
    }
  }
  return result;
}
