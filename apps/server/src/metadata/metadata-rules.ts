import {
  applyMergePatch,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  jsonEqual,
  MESSAGES,
  METADATA_KINDS,
  METADATA_LIMITS,
  type MetadataKind,
  type UserMetadata,
  type UserMetadataPatch,
} from '@usermeta/contract';

/** The stored form: each kind an object or absent (null). Never `{}`. */
export type StoredMetadata = Record<MetadataKind, JsonObject | null>;

export const EMPTY_METADATA: StoredMetadata = { public_metadata: null, private_metadata: null, unsafe_metadata: null };

export const MAX_NESTING = METADATA_LIMITS.nesting;
export const MAX_KIND_CHARACTERS = METADATA_LIMITS.kindCharacters;

/** NUL, or a surrogate half without its partner: PostgreSQL's jsonb cannot hold either. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Checks one kind of a patch for what cannot be stored, walking it without recursion so
 * that no depth can overflow the stack. Returns the error message, or undefined.
 */
export function findUnstorable(kind: JsonObject): string | undefined {
  const stack: Array<{ value: JsonValue; depth: number }> = [{ value: kind, depth: 1 }];
  let nestingError = false;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: JsonValue; depth: number };
    if (typeof value === 'string') {
      if (UNSTORABLE.test(value)) return MESSAGES.invalidCharacters;
    } else if (typeof value === 'number') {
      // JSON numbers beyond the double range parse to Infinity, which JSON cannot carry back.
      if (!Number.isFinite(value)) return MESSAGES.invalidJson;
    } else if (value !== null && typeof value === 'object') {
      if (depth > MAX_NESTING) {
        nestingError = true;
        continue;
      }
      if (Array.isArray(value)) {
        for (const item of value) stack.push({ value: item, depth: depth + 1 });
      } else {
        for (const key of Object.keys(value)) {
          if (UNSTORABLE.test(key)) return MESSAGES.invalidCharacters;
          stack.push({ value: value[key] as JsonValue, depth: depth + 1 });
        }
      }
    }
  }
  return nestingError ? MESSAGES.nestingTooDeep : undefined;
}

/** Checks every kind of a patch; the first problem in kind order, or undefined. */
export function validatePatch(patch: UserMetadataPatch): string | undefined {
  if (patch === null) return undefined;
  for (const kind of METADATA_KINDS) {
    const value = patch[kind];
    if (value) {
      const problem = findUnstorable(value);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Applies a patch to stored metadata (pure). A kind left empty becomes absent. */
export function applyPatch(current: StoredMetadata, patch: UserMetadataPatch): StoredMetadata {
  if (patch === null) return { ...EMPTY_METADATA };
  const next = { ...current };
  for (const kind of METADATA_KINDS) {
    const value = patch[kind];
    if (value === undefined) continue;
    if (value === null) {
      next[kind] = null;
      continue;
    }
    const merged = applyMergePatch(current[kind] ?? undefined, value);
    next[kind] = isJsonObject(merged) && Object.keys(merged).length > 0 ? merged : null;
  }
  return next;
}

/** Length in Unicode code points of the compact JSON text. */
export function compactJsonLength(value: JsonValue): number {
  const text = JSON.stringify(value);
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) length--;
  }
  return length;
}

/** The limit message for every kind over MAX_KIND_CHARACTERS, or undefined. */
export function checkLimits(metadata: StoredMetadata): string | undefined {
  const over = METADATA_KINDS.filter((kind) => {
    const value = metadata[kind];
    return value !== null && compactJsonLength(value) > MAX_KIND_CHARACTERS;
  });
  if (over.length === 0) return undefined;
  const clauses = over.map(
    (kind) => `${kind.replace('_metadata', '')} metadata must not exceed ${MAX_KIND_CHARACTERS} characters`,
  );
  return `${MESSAGES.limitExceededPrefix}${clauses.join(', ')}`;
}

/** The wire form: present kinds only, in the order public, private, unsafe; undefined when none. */
export function toUserMetadata(stored: StoredMetadata): UserMetadata | undefined {
  const out: UserMetadata = {};
  for (const kind of METADATA_KINDS) {
    const value = stored[kind];
    if (value !== null && Object.keys(value).length > 0) out[kind] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Whether two states hold the same JSON, whatever the order of their objects' members:
 * PostgreSQL stores an object's members in its own order, so a value read back is compared
 * with one as a client sent it (api.md: a PATCH that changes nothing keeps the ETag).
 */
export function sameMetadata(a: StoredMetadata, b: StoredMetadata): boolean {
  return METADATA_KINDS.every((kind) => jsonEqual(a[kind], b[kind]));
}
